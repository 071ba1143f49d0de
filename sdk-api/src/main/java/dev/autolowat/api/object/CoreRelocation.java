package dev.autolowat.api.object;

import java.util.Objects;

/**
 * One CO-RE relocation of {@code .BTF.ext} ({@code struct bpf_core_relo}): the instruction whose
 * offset or immediate depends on the target kernel's types, the local BTF type it was compiled
 * against, the access path into that type, and what is asked (byte offset, existence, size...).
 *
 * @param slot         the instruction's slot, relative to the start of its program
 * @param localTypeId  the root type in the object's own {@code .BTF}
 * @param accessString the access spec: {@code "0:1:2"} = element 0 of the root, member 1, member 2
 * @param kind         what the loader computes for the instruction
 * @param description  the same, in words: {@code "struct tcp_sock::copied_seq (0:2)"}
 */
public record CoreRelocation(int slot, int localTypeId, String accessString, Kind kind, String description) {
    public CoreRelocation {
        Objects.requireNonNull(accessString, "accessString");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(description, "description");
    }

    /** {@code enum bpf_core_relo_kind} (include/uapi/linux/bpf.h), in its order. */
    public enum Kind {
        FIELD_BYTE_OFFSET("byte_off"),
        FIELD_BYTE_SIZE("byte_sz"),
        FIELD_EXISTS("field_exists"),
        FIELD_SIGNED("signed"),
        FIELD_LSHIFT_U64("lshift_u64"),
        FIELD_RSHIFT_U64("rshift_u64"),
        TYPE_ID_LOCAL("local_type_id"),
        TYPE_ID_TARGET("target_type_id"),
        TYPE_EXISTS("type_exists"),
        TYPE_SIZE("type_size"),
        ENUMVAL_EXISTS("enumval_exists"),
        ENUMVAL_VALUE("enumval_value"),
        TYPE_MATCHES("type_matches");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** libbpf's short name, as {@code llvm-objdump -dr} prints it ({@code <byte_off>}). */
        public String label() {
            return label;
        }

        static Kind of(int value) {
            Kind[] all = values();
            return value >= 0 && value < all.length ? all[value] : null;
        }

        /** Whether the relocation is about a field of a struct or union (access path of members). */
        public boolean isField() {
            return ordinal() <= FIELD_RSHIFT_U64.ordinal();
        }

        /** Whether the relocation is about an enumerator (access path "0:N" = enumerator N). */
        public boolean isEnumValue() {
            return this == ENUMVAL_EXISTS || this == ENUMVAL_VALUE;
        }
    }
}
