package dev.autolowat.kernel.bpf;

/**
 * {@code struct bpf_map_info} of a map ({@code BPF_OBJ_GET_INFO_BY_FD}).
 *
 * @param type            {@code enum bpf_map_type}
 * @param id              the kernel-wide map id
 * @param keySize         key size in bytes
 * @param valueSize       value size in bytes
 * @param maxEntries      max entries
 * @param flags           {@code map_flags}
 * @param name            the name given at creation
 * @param btfId           id of the BTF object describing key and value, 0 if none
 * @param btfKeyTypeId    the key's type id in that BTF
 * @param btfValueTypeId  the value's type id in that BTF
 */
public record MapInfo(int type, int id, int keySize, int valueSize, int maxEntries, int flags, String name,
                      int btfId, int btfKeyTypeId, int btfValueTypeId) {
}
