package dev.autolowat.testkit.trace;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader (RFC 8259) for trace files, kept inside the API module so that it stays free
 * of dependencies (docs/decisions.md). Every value remembers where it starts, so that a problem in a
 * trace file can be reported as {@code file:line:column}. Numbers are kept exactly
 * ({@link BigDecimal}): u32 lengths and values beyond {@code int} must not be rounded.
 */
final class Json {
    /** A parsed value and where it starts (1-based line and column). */
    record Node(Object value, int line, int column) {
        /** {@code "line L, column C"}, for messages. */
        String where() {
            return line + ":" + column;
        }

        boolean isObject() {
            return value instanceof Map;
        }

        boolean isArray() {
            return value instanceof List;
        }

        @SuppressWarnings("unchecked")
        Map<String, Node> object() {
            return (Map<String, Node>) value;
        }

        @SuppressWarnings("unchecked")
        List<Node> array() {
            return (List<Node>) value;
        }

        /** What kind of value this is, for messages ("a string", "an array"...). */
        String kind() {
            if (value == null) {
                return "null";
            }
            if (value instanceof Map) {
                return "an object";
            }
            if (value instanceof List) {
                return "an array";
            }
            if (value instanceof String) {
                return "a string";
            }
            if (value instanceof Boolean) {
                return "a boolean";
            }
            return "the number " + ((BigDecimal) value).toPlainString();
        }
    }

    /** A syntax error at a position. */
    static final class SyntaxError extends Exception {
        final int line;
        final int column;

        SyntaxError(int line, int column, String message) {
            super(message);
            this.line = line;
            this.column = column;
        }
    }

    private final String text;
    private int pos;
    private int line = 1;
    private int lineStart;

    private Json(String text) {
        this.text = text;
    }

    /** Parses a whole document: one value, nothing but whitespace after it. */
    static Node parse(String text) throws SyntaxError {
        Json j = new Json(text);
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            j.pos = 1; // a UTF-8 byte order mark
            j.lineStart = 1;
        }
        j.skipSpace();
        Node n = j.value(0);
        j.skipSpace();
        if (j.pos < text.length()) {
            throw j.error("unexpected " + j.describeHere() + " after the document's value");
        }
        return n;
    }

    private static final int MAX_DEPTH = 64;

    private Node value(int depth) throws SyntaxError {
        if (depth > MAX_DEPTH) {
            throw error("values nested deeper than " + MAX_DEPTH);
        }
        if (pos >= text.length()) {
            throw error("unexpected end of file, expected a value");
        }
        int l = line;
        int c = column();
        char ch = text.charAt(pos);
        Object v;
        switch (ch) {
            case '{' -> v = object(depth);
            case '[' -> v = array(depth);
            case '"' -> v = string();
            case 't' -> v = word("true", Boolean.TRUE);
            case 'f' -> v = word("false", Boolean.FALSE);
            case 'n' -> v = word("null", null);
            default -> {
                if (ch == '-' || (ch >= '0' && ch <= '9')) {
                    v = number();
                } else {
                    throw error("unexpected " + describeHere() + ", expected a value");
                }
            }
        }
        return new Node(v, l, c);
    }

    private Map<String, Node> object(int depth) throws SyntaxError {
        Map<String, Node> out = new LinkedHashMap<>();
        pos++; // {
        skipSpace();
        if (peek() == '}') {
            pos++;
            return out;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("unexpected " + describeHere() + ", expected a member name in double quotes");
            }
            int l = line;
            int c = column();
            String key = string();
            if (out.containsKey(key)) {
                throw new SyntaxError(l, c, "duplicate member \"" + key + "\"");
            }
            skipSpace();
            expect(':');
            skipSpace();
            out.put(key, value(depth + 1));
            skipSpace();
            char ch = peek();
            if (ch == ',') {
                pos++;
            } else if (ch == '}') {
                pos++;
                return out;
            } else {
                throw error("unexpected " + describeHere() + ", expected ',' or '}'");
            }
        }
    }

    private List<Node> array(int depth) throws SyntaxError {
        List<Node> out = new ArrayList<>();
        pos++; // [
        skipSpace();
        if (peek() == ']') {
            pos++;
            return out;
        }
        while (true) {
            skipSpace();
            out.add(value(depth + 1));
            skipSpace();
            char ch = peek();
            if (ch == ',') {
                pos++;
            } else if (ch == ']') {
                pos++;
                return out;
            } else {
                throw error("unexpected " + describeHere() + ", expected ',' or ']'");
            }
        }
    }

    private String string() throws SyntaxError {
        pos++; // "
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char ch = text.charAt(pos++);
            if (ch == '"') {
                return sb.toString();
            }
            if (ch == '\n' || ch < 0x20) {
                pos--;
                throw error("control character in a string (strings end on the same line with '\"')");
            }
            if (ch != '\\') {
                sb.append(ch);
                continue;
            }
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("\\u needs four hexadecimal digits");
                    }
                    try {
                        sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException x) {
                        throw error("\\u needs four hexadecimal digits, got '" + text.substring(pos, pos + 4) + "'");
                    }
                    pos += 4;
                }
                default -> {
                    pos--;
                    throw error("unknown escape '\\" + e + "'");
                }
            }
        }
    }

    private BigDecimal number() throws SyntaxError {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) {
                pos++;
            }
        } else {
            throw error("a number needs digits after '-'");
        }
        if (peek() == '.') {
            pos++;
            if (!isDigit(peek())) {
                throw error("a number needs digits after '.'");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("a number needs digits in its exponent");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (isDigit(peek())) {
            throw error("a number must not start with 0 followed by digits");
        }
        try {
            return new BigDecimal(text.substring(start, pos));
        } catch (NumberFormatException | ArithmeticException x) {
            throw error("number out of range: " + text.substring(start, pos));
        }
    }

    private Object word(String w, Object v) throws SyntaxError {
        if (!text.startsWith(w, pos)) {
            throw error("unexpected " + describeHere() + ", expected a value");
        }
        pos += w.length();
        return v;
    }

    private void expect(char ch) throws SyntaxError {
        if (peek() != ch) {
            throw error("unexpected " + describeHere() + ", expected '" + ch + "'");
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private static boolean isDigit(char ch) {
        return ch >= '0' && ch <= '9';
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char ch = text.charAt(pos);
            if (ch == '\n') {
                line++;
                lineStart = pos + 1;
            } else if (ch != ' ' && ch != '\t' && ch != '\r') {
                return;
            }
            pos++;
        }
    }

    private int column() {
        return pos - lineStart + 1;
    }

    private String describeHere() {
        if (pos >= text.length()) {
            return "end of file";
        }
        char ch = text.charAt(pos);
        return ch < 0x20 ? String.format("character U+%04X", (int) ch) : "'" + ch + "'";
    }

    private SyntaxError error(String message) {
        return new SyntaxError(line, column(), message);
    }
}
