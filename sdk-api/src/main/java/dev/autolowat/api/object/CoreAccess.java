package dev.autolowat.api.object;

import dev.autolowat.api.btf.Btf;
import dev.autolowat.api.btf.BtfKind;

import java.util.List;

/**
 * Reads a CO-RE access spec ({@code "0:1:2"}) against the object's own BTF, as libbpf's
 * {@code bpf_core_parse_spec} does: the first number indexes the root as an array, each next one a
 * member of a struct or union (or an element of an array); for enum relocations the number after the
 * root is an enumerator. The result names the path in words, as {@code llvm-objdump -dr} prints it:
 * {@code struct tcp_sock::inet_conn.icsk_inet.sk.sk_rcvlowat (0:0:0:0:0)}.
 */
final class CoreAccess {
    private CoreAccess() {
    }

    static String describe(ElfFile elf, Btf btf, int rootId, String access, CoreRelocation.Kind kind) {
        String[] parts = access.split(":", -1);
        int[] idx = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                idx[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw elf.error("CO-RE access spec '" + access + "' is not a list of numbers");
            }
            if (idx[i] < 0) {
                throw elf.error("CO-RE access spec '" + access + "' has a negative index");
            }
        }
        int type = btf.resolve(rootId);
        String root = typeName(btf, type);
        if (!kind.isField() && !kind.isEnumValue()) {
            return root;
        }
        if (kind.isEnumValue()) {
            BtfKind k = btf.kind(type);
            if ((k != BtfKind.ENUM && k != BtfKind.ENUM64) || idx.length != 1) {
                throw elf.error("CO-RE enum relocation on " + root + " with access '" + access + "'");
            }
            List<Btf.Enumerator> values = btf.enumerators(type);
            if (idx[0] >= values.size()) {
                throw elf.error("CO-RE relocation names enumerator " + idx[0] + " of " + root + ", which has "
                        + values.size());
            }
            return root + "::" + values.get(idx[0]).name() + " = " + values.get(idx[0]).value() + " (" + access + ")";
        }
        StringBuilder path = new StringBuilder();
        if (idx[0] != 0) {
            path.append('[').append(idx[0]).append(']');
        }
        for (int i = 1; i < idx.length; i++) {
            BtfKind k = btf.kind(type);
            if (k == BtfKind.STRUCT || k == BtfKind.UNION) {
                List<Btf.Member> members = btf.members(type);
                if (idx[i] >= members.size()) {
                    throw elf.error("CO-RE access '" + access + "' asks member " + idx[i] + " of " + typeName(btf, type)
                            + ", which has " + members.size());
                }
                Btf.Member m = members.get(idx[i]);
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(m.name().isEmpty() ? "<anon>" : m.name());
                type = btf.resolve(m.type());
            } else if (k == BtfKind.ARRAY) {
                path.append('[').append(idx[i]).append(']');
                type = btf.resolve(btf.array(type).elementType());
            } else {
                throw elf.error("CO-RE access '" + access + "' goes into " + typeName(btf, type)
                        + ", which has no members");
            }
        }
        return root + "::" + path + " (" + access + ")";
    }

    static String typeName(Btf btf, int id) {
        String n = btf.name(id);
        return switch (btf.kind(id)) {
            case STRUCT -> "struct " + (n.isEmpty() ? "<anon>" : n);
            case UNION -> "union " + (n.isEmpty() ? "<anon>" : n);
            case ENUM, ENUM64 -> "enum " + (n.isEmpty() ? "<anon>" : n);
            default -> n.isEmpty() ? btf.kind(id).name().toLowerCase() : n;
        };
    }
}
