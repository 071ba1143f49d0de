package dev.autolowat.kernel.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.autolowat.kernel.sys.LibC;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code bpf(2)} system call, thin and typed, in the manner of cilium/ebpf's
 * {@code internal/sys}: one static method per command, the {@code union bpf_attr} of that
 * command laid out at the offsets of {@code include/uapi/linux/bpf.h} for x86-64 (the union is
 * 8-byte aligned, pointers are {@code __aligned_u64}), sized to the fields the SDK uses (the kernel
 * zero-fills the rest).
 *
 * <p>Descriptors come back as plain {@code int}s: the typed objects {@link KernelMap},
 * {@link BpfProgram}, {@link BpfBtf} and the attachments of {@code dev.autolowat.kernel.link} own
 * them. Failures throw {@link BpfException} (or {@link PrivilegeException} for EPERM/EACCES without
 * the capabilities), whose message names the command, the errno by name and number and the reason —
 * except where the errno is an ordinary answer: a missing key ({@code ENOENT}) makes the element
 * commands return {@code false}, and {@link #progLoad} and {@link #btfLoad} return a
 * {@link LoadResult} carrying the verifier log for the caller to judge.
 *
 * <h2>Layouts used (byte offsets)</h2>
 * <ul>
 *   <li>MAP_CREATE (80): map_type 0, key_size 4, value_size 8, max_entries 12, map_flags 16,
 *       inner_map_fd 20, numa_node 24, map_name[16] 28, map_ifindex 44, btf_fd 48, btf_key_type_id 52,
 *       btf_value_type_id 56, btf_vmlinux_value_type_id 60, map_extra 64, value_type_btf_obj_fd 72,
 *       map_token_fd 76.</li>
 *   <li>MAP_*_ELEM (32): map_fd 0, key 8, value/next_key 16, flags 24.</li>
 *   <li>PROG_LOAD (148): prog_type 0, insn_cnt 4, insns 8, license 16, log_level 24, log_size 28,
 *       log_buf 32, kern_version 40, prog_flags 44, prog_name[16] 48, prog_ifindex 64,
 *       expected_attach_type 68, prog_btf_fd 72, ..., attach_btf_id 108, attach_btf_obj_fd 112,
 *       core_relo_cnt 116, fd_array 120, core_relos 128, core_relo_rec_size 136, log_true_size 140,
 *       prog_token_fd 144.</li>
 *   <li>PROG_ATTACH / PROG_DETACH (32): target_fd 0, attach_bpf_fd 4, attach_type 8, attach_flags 12,
 *       replace_bpf_fd 16, relative_fd 20, expected_revision 24.</li>
 *   <li>OBJ_GET_INFO_BY_FD (16): bpf_fd 0, info_len 4, info 8.</li>
 *   <li>PROG_TEST_RUN (80): prog_fd 0, retval 4, data_size_in 8, data_size_out 12, data_in 16,
 *       data_out 24, repeat 32, duration 36, ctx_size_in 40, ctx_size_out 44, ctx_in 48, ctx_out 56,
 *       flags 64, cpu 68, batch_size 72.</li>
 *   <li>PROG_QUERY (64): target_fd 0, attach_type 4, query_flags 8, attach_flags 12, prog_ids 16,
 *       prog_cnt 24, prog_attach_flags 32, link_ids 40, link_attach_flags 48, revision 56.</li>
 *   <li>BTF_LOAD (40): btf 0, btf_log_buf 8, btf_size 16, btf_log_size 20, btf_log_level 24,
 *       btf_log_true_size 28, btf_flags 32, btf_token_fd 36.</li>
 *   <li>LINK_CREATE (32): prog_fd 0, target_fd 4, attach_type 8, flags 12, then the per-type union
 *       at 16 (zero for cgroups: no relative program, no expected revision).</li>
 *   <li>struct bpf_prog_info (232): type 0, id 4, tag[8] 8, jited_prog_len 16, xlated_prog_len 20,
 *       load_time 40, created_by_uid 48, nr_map_ids 52, map_ids 56, name[16] 64, gpl_compatible bit 0
 *       of 84, verified_insns 216.</li>
 *   <li>struct bpf_map_info (88): type 0, id 4, key_size 8, value_size 12, max_entries 16,
 *       map_flags 20, name[16] 24, btf_id 64, btf_key_type_id 68, btf_value_type_id 72.</li>
 * </ul>
 */
public final class BpfSyscall {

    /** {@code BPF_OBJ_NAME_LEN}: names are at most 15 characters and a NUL. */
    public static final int BPF_OBJ_NAME_LEN = 16;

    // ---- map_flags ----
    /** {@code BPF_F_NO_PREALLOC}: required by SK_STORAGE maps. */
    public static final int BPF_F_NO_PREALLOC = 1;

    // ---- MAP_UPDATE_ELEM flags ----
    /** Create or replace. */
    public static final long BPF_ANY = 0;
    /** Create only: {@code EEXIST} if the key is there. */
    public static final long BPF_NOEXIST = 1;
    /** Replace only: {@code ENOENT} if the key is not there. */
    public static final long BPF_EXIST = 2;

    // ---- PROG_ATTACH flags ----
    public static final int BPF_F_ALLOW_OVERRIDE = 1;
    /** Several programs per cgroup and attach type, run in attach order (and those of ancestors). */
    public static final int BPF_F_ALLOW_MULTI = 2;
    public static final int BPF_F_REPLACE = 4;

    // ---- PROG_QUERY flags ----
    /** Query the programs that run for the cgroup (its own and inherited), not only those attached to it. */
    public static final int BPF_F_QUERY_EFFECTIVE = 1;

    // ---- verifier log levels ----
    public static final int BPF_LOG_LEVEL1 = 1;
    public static final int BPF_LOG_LEVEL2 = 2;
    public static final int BPF_LOG_STATS = 4;

    static final int MAP_CREATE_SIZE = 80;
    static final int ELEM_SIZE = 32;
    static final int PROG_LOAD_SIZE = 148;
    static final int ATTACH_SIZE = 32;
    static final int INFO_SIZE = 16;
    static final int QUERY_SIZE = 64;
    static final int BTF_LOAD_SIZE = 40;
    static final int LINK_CREATE_SIZE = 32;
    static final int PROG_INFO_SIZE = 232;
    static final int MAP_INFO_SIZE = 88;
    static final int GET_ID_SIZE = 12;

    private static final int EPERM = 1;
    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int ENOSPC = 28;

    private BpfSyscall() {
    }

    /**
     * The raw call: {@code bpf(cmd, attr, size)}, the result or {@code -errno}. For commands and
     * fields this class does not cover.
     */
    public static long bpf(BpfCommand cmd, Pointer attr, int size) {
        Objects.requireNonNull(cmd, "cmd");
        Objects.requireNonNull(attr, "attr");
        return LibC.syscall(LibC.SYS_BPF, cmd.number(), attr, size);
    }

    // ------------------------------------------------------------------------------------------
    // maps
    // ------------------------------------------------------------------------------------------

    /**
     * {@code BPF_MAP_CREATE}: a new map descriptor (close-on-exec), owned by the caller.
     *
     * @throws BpfException with the attributes and what the kernel refuses
     */
    public static int mapCreate(MapAttributes a) {
        Objects.requireNonNull(a, "attributes");
        try (Attr attr = new Attr(MAP_CREATE_SIZE)) {
            attr.u32(0, a.type()).u32(4, a.keySize()).u32(8, a.valueSize()).u32(12, a.maxEntries())
                    .u32(16, a.flags()).name(28, a.name())
                    .u32(48, a.btfFd()).u32(52, a.btfKeyTypeId()).u32(56, a.btfValueTypeId());
            long r = attr.call(BpfCommand.MAP_CREATE);
            if (r < 0) {
                throw failure(BpfCommand.MAP_CREATE, r, "creating map '" + a.name() + "' (" + a + ")");
            }
            return (int) r;
        }
    }

    /**
     * {@code BPF_MAP_LOOKUP_ELEM}: copies the value of {@code key} into {@code value}.
     *
     * @return false when the key is not in the map ({@code ENOENT})
     * @throws BpfException for any other failure
     */
    public static boolean mapLookupElem(int mapFd, Pointer key, Pointer value) {
        long r = elem(BpfCommand.MAP_LOOKUP_ELEM, mapFd, key, value, 0);
        if (r == -ENOENT) {
            return false;
        }
        check(BpfCommand.MAP_LOOKUP_ELEM, r, "looking up a key of map fd " + mapFd);
        return true;
    }

    /**
     * {@code BPF_MAP_UPDATE_ELEM} with {@code flags} ({@link #BPF_ANY}, {@link #BPF_NOEXIST},
     * {@link #BPF_EXIST}).
     *
     * @throws BpfException when the kernel refuses (e.g. {@code E2BIG}: an ARRAY index out of range or a full HASH)
     */
    public static void mapUpdateElem(int mapFd, Pointer key, Pointer value, long flags) {
        long r = elem(BpfCommand.MAP_UPDATE_ELEM, mapFd, key, value, flags);
        check(BpfCommand.MAP_UPDATE_ELEM, r, "updating a key of map fd " + mapFd + " (flags " + flags + ")");
    }

    /**
     * {@code BPF_MAP_DELETE_ELEM}.
     *
     * @return false when the key was not in the map ({@code ENOENT})
     * @throws BpfException for any other failure ({@code EINVAL} for ARRAY maps, whose entries cannot be deleted)
     */
    public static boolean mapDeleteElem(int mapFd, Pointer key) {
        long r = elem(BpfCommand.MAP_DELETE_ELEM, mapFd, key, null, 0);
        if (r == -ENOENT) {
            return false;
        }
        check(BpfCommand.MAP_DELETE_ELEM, r, "deleting a key of map fd " + mapFd);
        return true;
    }

    /**
     * {@code BPF_MAP_GET_NEXT_KEY}: the key after {@code key} ({@code null}: the first key) into
     * {@code nextKey}.
     *
     * @return false when there is no next key ({@code ENOENT}): the iteration is over
     */
    public static boolean mapGetNextKey(int mapFd, Pointer key, Pointer nextKey) {
        Objects.requireNonNull(nextKey, "nextKey");
        long r = elem(BpfCommand.MAP_GET_NEXT_KEY, mapFd, key, nextKey, 0);
        if (r == -ENOENT) {
            return false;
        }
        check(BpfCommand.MAP_GET_NEXT_KEY, r, "iterating map fd " + mapFd);
        return true;
    }

    private static long elem(BpfCommand cmd, int mapFd, Pointer key, Pointer value, long flags) {
        try (Attr attr = new Attr(ELEM_SIZE)) {
            attr.u32(0, mapFd).ptr(8, key).ptr(16, value).u64(24, flags);
            return attr.call(cmd);
        }
    }

    /**
     * {@code BPF_OBJ_PIN}: pins program or map {@code fd} at {@code path} in a BPF file system
     * ({@code /sys/fs/bpf}); the object lives on after its descriptors close, until the file is removed.
     * Attributes: pathname 0, bpf_fd 8, file_flags 12.
     */
    public static void objPin(int fd, String path) {
        try (Attr attr = new Attr(ELEM_SIZE)) {
            Memory name = attr.cString(path);
            attr.ptr(0, name).u32(8, fd);
            check(BpfCommand.OBJ_PIN, attr.call(BpfCommand.OBJ_PIN), "pinning fd " + fd + " at " + path
                    + " (it must be in a mounted BPF file system and not exist yet)");
        }
    }

    /**
     * {@code BPF_MAP_FREEZE}: from now on programs may still read the map (and, with
     * {@code BPF_F_RDONLY_PROG}, only read it) but userspace can no longer write it — how libbpf
     * seals {@code .rodata} after initialising it.
     */
    public static void mapFreeze(int mapFd) {
        try (Attr attr = new Attr(ELEM_SIZE)) {
            attr.u32(0, mapFd);
            check(BpfCommand.MAP_FREEZE, attr.call(BpfCommand.MAP_FREEZE), "freezing map fd " + mapFd);
        }
    }

    // ------------------------------------------------------------------------------------------
    // programs and BTF
    // ------------------------------------------------------------------------------------------

    /**
     * {@code BPF_PROG_LOAD}, returning what the kernel said — a descriptor or {@code -errno} — and
     * the verifier log when {@code a.logLevel() > 0}. Never throws for a kernel error: whether a
     * failure is a verifier rejection, missing privileges or something else is for the caller to
     * judge ({@link BpfProgram#load} does).
     */
    public static LoadResult progLoad(ProgLoadAttributes a) {
        Objects.requireNonNull(a, "attributes");
        try (Attr attr = new Attr(PROG_LOAD_SIZE)) {
            Memory insns = attr.buffer(a.insns());
            Memory license = attr.cString(a.license());
            Memory log = a.logLevel() > 0 ? attr.buffer(a.logSize()) : null;
            attr.u32(0, a.progType()).u32(4, a.insnCount()).ptr(8, insns).ptr(16, license)
                    .u32(24, a.logLevel()).u32(28, log == null ? 0 : a.logSize()).ptr(32, log)
                    .name(48, a.name()).u32(68, a.expectedAttachType());
            if (a.btf() != null) {
                // prog_btf_fd 72, func_info_rec_size 76, func_info 80, func_info_cnt 88,
                // line_info_rec_size 92, line_info 96, line_info_cnt 104
                ProgLoadAttributes.ProgramBtf b = a.btf();
                attr.u32(72, b.btfFd());
                byte[] funcs = b.funcInfo();
                if (funcs.length > 0) {
                    attr.u32(76, ProgLoadAttributes.ProgramBtf.FUNC_INFO_SIZE).ptr(80, attr.buffer(funcs))
                            .u32(88, funcs.length / ProgLoadAttributes.ProgramBtf.FUNC_INFO_SIZE);
                }
                byte[] lines = b.lineInfo();
                if (lines.length > 0) {
                    attr.u32(92, ProgLoadAttributes.ProgramBtf.LINE_INFO_SIZE).ptr(96, attr.buffer(lines))
                            .u32(104, lines.length / ProgLoadAttributes.ProgramBtf.LINE_INFO_SIZE);
                }
            }
            int[] fds = a.fdArray();
            if (fds != null && fds.length > 0) {
                Memory fdArray = attr.buffer(4L * fds.length);
                fdArray.write(0, fds, 0, fds.length);
                attr.ptr(120, fdArray);
            }
            long r = attr.call(BpfCommand.PROG_LOAD);
            return new LoadResult(r, log == null ? "" : cString(log, a.logSize()), attr.u32(140),
                    log == null ? 0 : a.logSize());
        }
    }

    /**
     * {@code BPF_BTF_LOAD} of a raw BTF blob, returning a descriptor or {@code -errno} with the
     * BTF verifier's log when {@code logLevel > 0}.
     */
    public static LoadResult btfLoad(byte[] btf, int logLevel, int logSize) {
        Objects.requireNonNull(btf, "btf");
        try (Attr attr = new Attr(BTF_LOAD_SIZE)) {
            Memory blob = attr.buffer(btf);
            Memory log = logLevel > 0 ? attr.buffer(logSize) : null;
            attr.ptr(0, blob).ptr(8, log).u32(16, btf.length).u32(20, log == null ? 0 : logSize)
                    .u32(24, log == null ? 0 : logLevel);
            long r = attr.call(BpfCommand.BTF_LOAD);
            return new LoadResult(r, log == null ? "" : cString(log, logSize), attr.u32(28), log == null ? 0 : logSize);
        }
    }

    // ------------------------------------------------------------------------------------------
    // attachments
    // ------------------------------------------------------------------------------------------

    /**
     * {@code BPF_PROG_ATTACH}: attaches program {@code progFd} to the cgroup directory
     * {@code targetFd} as {@code attachType} with {@code flags} (e.g. {@link #BPF_F_ALLOW_MULTI}).
     */
    public static void progAttach(int targetFd, int progFd, int attachType, int flags) {
        try (Attr attr = new Attr(ATTACH_SIZE)) {
            attr.u32(0, targetFd).u32(4, progFd).u32(8, attachType).u32(12, flags);
            long r = attr.call(BpfCommand.PROG_ATTACH);
            check(BpfCommand.PROG_ATTACH, r, "attaching program fd " + progFd + " to cgroup fd " + targetFd
                    + " as attach type " + attachType + " with flags 0x" + Integer.toHexString(flags));
        }
    }

    /**
     * {@code BPF_PROG_DETACH}: detaches program {@code progFd} (required when the cgroup has
     * several, {@link #BPF_F_ALLOW_MULTI}) from the cgroup directory {@code targetFd}.
     */
    public static void progDetach(int targetFd, int progFd, int attachType) {
        try (Attr attr = new Attr(ATTACH_SIZE)) {
            attr.u32(0, targetFd).u32(4, progFd).u32(8, attachType);
            long r = attr.call(BpfCommand.PROG_DETACH);
            check(BpfCommand.PROG_DETACH, r, "detaching program fd " + progFd + " from cgroup fd " + targetFd
                    + " (attach type " + attachType + ")");
        }
    }

    /**
     * {@code BPF_LINK_CREATE} for a cgroup: a link descriptor; the program stays attached while the
     * link is open (closing its last descriptor detaches it).
     */
    public static int linkCreate(int progFd, int targetFd, int attachType, int flags) {
        try (Attr attr = new Attr(LINK_CREATE_SIZE)) {
            attr.u32(0, progFd).u32(4, targetFd).u32(8, attachType).u32(12, flags);
            long r = attr.call(BpfCommand.LINK_CREATE);
            if (r < 0) {
                throw failure(BpfCommand.LINK_CREATE, r, "linking program fd " + progFd + " to cgroup fd " + targetFd
                        + " as attach type " + attachType);
            }
            return (int) r;
        }
    }

    /**
     * {@code BPF_PROG_QUERY} on a cgroup directory: the programs attached to it for
     * {@code attachType} ({@code queryFlags} 0), or those that run for it including inherited ones
     * ({@link #BPF_F_QUERY_EFFECTIVE}).
     */
    public static QueryResult progQuery(int targetFd, int attachType, int queryFlags) {
        int capacity = 16;
        while (true) {
            try (Attr attr = new Attr(QUERY_SIZE)) {
                Memory ids = attr.buffer(4L * capacity);
                attr.u32(0, targetFd).u32(4, attachType).u32(8, queryFlags).ptr(16, ids).u32(24, capacity);
                long r = attr.call(BpfCommand.PROG_QUERY);
                int count = attr.u32(24);
                if (r == -ENOSPC && count > capacity) {
                    capacity = count;
                    continue;
                }
                check(BpfCommand.PROG_QUERY, r, "querying cgroup fd " + targetFd + " for attach type " + attachType);
                int[] out = new int[Math.min(count, capacity)];
                ids.read(0, out, 0, out.length);
                return new QueryResult(attr.u32(12), out, attr.u64(56));
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // object info
    // ------------------------------------------------------------------------------------------

    /**
     * The answer of {@code BPF_PROG_TEST_RUN}: r0 of the last run (the low 32 bits, as the kernel
     * reports it) and the kernel's own average time per run in nanoseconds.
     */
    public record TestRunResult(int retval, int durationNs) {
    }

    /**
     * {@code BPF_PROG_TEST_RUN}: runs program {@code progFd} {@code repeat} times on a copy of
     * {@code data} (for a socket filter: a packet of at least 14 bytes, the Ethernet header) in the
     * kernel, with its JIT when the kernel has one enabled; no context, no output buffer.
     */
    public static TestRunResult progTestRun(int progFd, byte[] data, int repeat) {
        try (Attr attr = new Attr(80)) {
            Memory in = attr.buffer(data);
            attr.u32(0, progFd).u32(8, data.length).ptr(16, in).u32(32, repeat);
            long r = attr.call(BpfCommand.PROG_TEST_RUN);
            check(BpfCommand.PROG_TEST_RUN, r, "test-running program fd " + progFd + " " + repeat + " times");
            return new TestRunResult(attr.u32(4), attr.u32(36));
        }
    }

    /** {@code BPF_OBJ_GET_INFO_BY_FD} of a program. */
    public static ProgramInfo progInfo(int progFd) {
        int capacity = 16;
        while (true) {
            try (Attr attr = new Attr(INFO_SIZE)) {
                Memory info = attr.buffer(PROG_INFO_SIZE);
                Memory mapIds = attr.buffer(4L * capacity);
                info.setInt(52, capacity);
                info.setLong(56, Pointer.nativeValue(mapIds));
                attr.u32(0, progFd).u32(4, PROG_INFO_SIZE).ptr(8, info);
                long r = attr.call(BpfCommand.OBJ_GET_INFO_BY_FD);
                check(BpfCommand.OBJ_GET_INFO_BY_FD, r, "reading the info of program fd " + progFd);
                int nrMaps = info.getInt(52);
                if (nrMaps > capacity) {
                    capacity = nrMaps;
                    continue;
                }
                int[] ids = new int[nrMaps];
                mapIds.read(0, ids, 0, nrMaps);
                byte[] tag = info.getByteArray(8, 8);
                StringBuilder hex = new StringBuilder();
                for (byte b : tag) {
                    hex.append(String.format("%02x", b & 0xff));
                }
                int infoLen = attr.u32(4);
                return new ProgramInfo(info.getInt(0), info.getInt(4), cString(info.share(64), BPF_OBJ_NAME_LEN),
                        hex.toString(), info.getInt(20), info.getInt(16), (info.getInt(84) & 1) != 0, ids,
                        infoLen >= 220 ? info.getInt(216) : 0, info.getLong(40));
            }
        }
    }

    /** {@code BPF_OBJ_GET_INFO_BY_FD} of a map. */
    public static MapInfo mapInfo(int mapFd) {
        try (Attr attr = new Attr(INFO_SIZE)) {
            Memory info = attr.buffer(MAP_INFO_SIZE);
            attr.u32(0, mapFd).u32(4, MAP_INFO_SIZE).ptr(8, info);
            long r = attr.call(BpfCommand.OBJ_GET_INFO_BY_FD);
            check(BpfCommand.OBJ_GET_INFO_BY_FD, r, "reading the info of map fd " + mapFd);
            return new MapInfo(info.getInt(0), info.getInt(4), info.getInt(8), info.getInt(12), info.getInt(16),
                    info.getInt(20), cString(info.share(24), BPF_OBJ_NAME_LEN), info.getInt(64), info.getInt(68),
                    info.getInt(72));
        }
    }

    // ------------------------------------------------------------------------------------------
    // kernel-wide object ids (BPF_PROG_GET_NEXT_ID, BPF_MAP_GET_NEXT_ID, BPF_*_GET_FD_BY_ID)
    // ------------------------------------------------------------------------------------------

    /**
     * The ids of every BPF program loaded in the kernel now, any process's ({@code BPF_PROG_GET_NEXT_ID},
     * as {@code bpftool prog} lists them), in increasing order. Hygiene checks count them.
     */
    public static int[] programIds() {
        return ids(BpfCommand.PROG_GET_NEXT_ID);
    }

    /** The ids of every BPF map in the kernel now ({@code BPF_MAP_GET_NEXT_ID}), in increasing order. */
    public static int[] mapIds() {
        return ids(BpfCommand.MAP_GET_NEXT_ID);
    }

    private static int[] ids(BpfCommand cmd) {
        int[] out = new int[16];
        int n = 0;
        int start = 0;
        while (true) {
            try (Attr attr = new Attr(GET_ID_SIZE)) {
                attr.u32(0, start);
                long r = attr.call(cmd);
                if (r == -ENOENT) {
                    return java.util.Arrays.copyOf(out, n);
                }
                check(cmd, r, "listing ids after " + start);
                start = attr.u32(4);
            }
            if (n == out.length) {
                out = java.util.Arrays.copyOf(out, n * 2);
            }
            out[n++] = start;
        }
    }

    /**
     * The info of the program with kernel-wide {@code id} ({@code BPF_PROG_GET_FD_BY_ID}, then
     * {@link #progInfo}; the descriptor is closed again), or empty when no such program exists (any
     * more).
     */
    public static Optional<ProgramInfo> progInfoById(int id) {
        int fd = fdById(BpfCommand.PROG_GET_FD_BY_ID, id);
        if (fd < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(progInfo(fd));
        } finally {
            LibC.close(fd);
        }
    }

    /** The info of the map with kernel-wide {@code id}, or empty when it does not exist (any more). */
    public static Optional<MapInfo> mapInfoById(int id) {
        int fd = fdById(BpfCommand.MAP_GET_FD_BY_ID, id);
        if (fd < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(mapInfo(fd));
        } finally {
            LibC.close(fd);
        }
    }

    private static int fdById(BpfCommand cmd, int id) {
        try (Attr attr = new Attr(GET_ID_SIZE)) {
            attr.u32(0, id);
            long r = attr.call(cmd);
            if (r == -ENOENT) {
                return -1;
            }
            check(cmd, r, "opening object id " + id);
            return (int) r;
        }
    }

    // ------------------------------------------------------------------------------------------
    // errors
    // ------------------------------------------------------------------------------------------

    /** Throws the exception for {@code result} when it is {@code -errno}. */
    static void check(BpfCommand cmd, long result, String context) {
        if (result < 0) {
            throw failure(cmd, result, context);
        }
    }

    /**
     * The exception for a failed command: {@link PrivilegeException} for EPERM/EACCES when the
     * process lacks the capabilities, else a {@link BpfException} whose reason explains the errno
     * for that command.
     */
    static BpfException failure(BpfCommand cmd, long result, String context) {
        int errno = (int) -result;
        if ((errno == EPERM || errno == EACCES) && !BpfPrivileges.sufficient()) {
            return new PrivilegeException(cmd, errno, BpfPrivileges.describe() + "; while " + context);
        }
        String why = BpfErrors.explain(cmd, errno);
        return new BpfException(cmd, errno, context + (why.isEmpty() ? "" : ": " + why));
    }

    /** The NUL-terminated string at the start of {@code p}, at most {@code max} bytes. */
    static String cString(Pointer p, int max) {
        byte[] b = p.getByteArray(0, max);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}
