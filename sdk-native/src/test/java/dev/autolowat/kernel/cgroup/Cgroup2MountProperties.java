package dev.autolowat.kernel.cgroup;

import dev.autolowat.testkit.Gen;
import dev.autolowat.testkit.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code /proc/mounts} escaping round trips through {@link Cgroup2Mount} (rule H6), on the project's property runner. */
class Cgroup2MountProperties {

    /** What the kernel's {@code mangle()} does to a path in {@code /proc/mounts}: " \t\n\\" as \ooo. */
    static String mangle(String path) {
        StringBuilder b = new StringBuilder();
        for (char c : path.toCharArray()) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\\') {
                b.append(String.format("\\%03o", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String join(List<Character> chars) {
        StringBuilder b = new StringBuilder(chars.size());
        chars.forEach(b::append);
        return b.toString();
    }

    /** Path tails rich in characters the kernel escapes and in octal digits that could be misread. */
    static Gen<String> pathTails() {
        return Gen.oneOf('a', 'b', ' ', '\t', '\n', '\\', '/', '0', '1', '3', '4', '7', 'f').listOf(1, 40)
                .map(Cgroup2MountProperties::join);
    }

    /** Any string of chars 0..255, i.e. any byte string. */
    static Gen<String> byteStrings() {
        return Gen.ints(0, 255).map(i -> (char) i.intValue()).listOf(0, 40).map(Cgroup2MountProperties::join);
    }

    @Test
    @DisplayName("H6: a mount point mangled as the kernel does is found unchanged, after any number of other mounts")
    void mangledMountPointRoundTrips() {
        Gen<Object[]> cases = c -> new Object[]{pathTails().generate(c), c.intBetween(0, 5)};
        Property.forAll("mangled cgroup2 mount point round trip", cases.map(List::of)).tries(300).check(v -> {
            String mountPoint = "/" + v.get(0);
            int othersBefore = (Integer) v.get(1);
            StringBuilder mounts = new StringBuilder();
            for (int i = 0; i < othersBefore; i++) {
                mounts.append("cgroup ").append(mangle(mountPoint + i)).append(" cgroup rw,relatime 0 0\n");
            }
            mounts.append("none ").append(mangle(mountPoint)).append(" cgroup2 rw,relatime 0 0\n");
            mounts.append("cgroup2 /later cgroup2 rw 0 0\n");
            try {
                Path file = Files.createTempFile("mounts", "");
                try {
                    Files.writeString(file, mounts, StandardCharsets.ISO_8859_1);
                    assertEquals(Optional.of(Path.of(mountPoint)), Cgroup2Mount.find(file));
                } finally {
                    Files.delete(file);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    @DisplayName("unescape inverts the kernel's mangling for any byte string")
    void unescapeInvertsMangle() {
        Property.forAll("unescape(mangle(s)) == s", byteStrings())
                .check(s -> assertEquals(s, Cgroup2Mount.unescape(mangle(s))));
    }

    @Test
    @DisplayName("a field without backslashes is left unchanged")
    void noBackslashUnchanged() {
        Gen<String> noBackslash = Gen.ints(' ', '[').map(i -> (char) i.intValue()).listOf(0, 40)
                .map(Cgroup2MountProperties::join);
        Property.forAll("unescape without backslash is identity", noBackslash)
                .check(s -> assertEquals(s, Cgroup2Mount.unescape(s)));
    }
}
