package dev.autolowat.kernel;

import dev.autolowat.api.SockOpt;
import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Macros;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.kernel.bpf.KernelMap;
import dev.autolowat.kernel.bpf.LoadedProgram;
import dev.autolowat.kernel.bpf.ProgramLoader;
import dev.autolowat.kernel.sys.ErrnoNames;
import dev.autolowat.kernel.sys.LibC;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R1;
import static dev.autolowat.api.asm.Reg.R10;
import static dev.autolowat.api.asm.Reg.R6;
import static dev.autolowat.api.asm.Reg.R7;
import static dev.autolowat.api.asm.Reg.R8;

/**
 * The backend-owned observer of the sock_ops flag word (F1/F2), which userspace cannot read
 * directly: {@code getsockopt(SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS)} is {@code ENOPROTOOPT} outside BPF.
 * A {@code BPF_CGROUP_SETSOCKOPT} program, attached to every native session before any user
 * program, answers a private {@code setsockopt(fd, }{@value #LEVEL_HEX}{@code , 1, &nonce, 4)}: it
 * consumes the option (the kernel never sees it), calls
 * {@code bpf_getsockopt(ctx->sk, SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS)} — allowed in setsockopt
 * programs, whose socket is locked — and stores {@code {ret, flags, nonce}} in a one-entry ARRAY map,
 * which {@link #read} then looks up. The nonce proves the entry belongs to this call. Other options
 * pass through untouched (the program returns 1 and leaves {@code optlen}).
 */
final class FlagObserver implements AutoCloseable {
    /** The private level: the reference policy's A2 level plus one. */
    static final int LEVEL = 0xdeadbef0;
    static final String LEVEL_HEX = "0xdeadbef0";
    /** The optname that asks for the flag word. */
    static final int OPT_CB_FLAGS = 1;
    static final String PROGRAM_NAME = "al_flags_obs";
    static final String MAP_NAME = "al_flags_obs";

    private final LoadedProgram program;
    private int nonce;

    private FlagObserver(LoadedProgram program) {
        this.program = program;
    }

    /**
     * Loads the observer program and its map.
     *
     * @throws dev.autolowat.kernel.bpf.PrivilegeException without the privileges for {@code bpf(2)}
     */
    static FlagObserver load() {
        return new FlagObserver(new ProgramLoader().load(program()));
    }

    /** The observer's bytecode. */
    static SockoptProgram.Bytecode program() {
        Assembler a = new Assembler();
        a.mov64(R6, R1);
        Macros.consumeIntOption(a, R6, LEVEL, OPT_CB_FLAGS, R8, R7, "pass");   // R8: the caller's nonce
        a.stw(R10, -4, 0);
        Macros.sockoptInt(a, Helper.GETSOCKOPT, R7, SockOpt.SOL_TCP, SockOpt.TCP_BPF_SOCK_OPS_CB_FLAGS, -4)
                .stxw(R10, R0, -16)                       // value.ret
                .ldxw(R1, R10, -4)
                .stxw(R10, R1, -12)                       // value.flags
                .stxw(R10, R8, -8)                        // value.nonce
                .stw(R10, -20, 0);                        // key 0
        Macros.mapUpdate(a, 0, -20, -16, 0)
                .label("pass")
                .mov64(R0, 1)
                .exit();
        return a.sockoptProgram(PROGRAM_NAME, "GPL", List.of(new MapSpec(MAP_NAME, MapType.ARRAY, 4, 12, 1)));
    }

    LoadedProgram loaded() {
        return program;
    }

    /**
     * The flag word of the socket {@code fd}, as {@code bpf_getsockopt} returned it: the word, or
     * {@code -errno} ({@code -EINVAL} for an MPTCP socket, which has no TCP flag word). The socket
     * must belong to the cgroup the observer is attached to (cgroup sockopt programs run for the
     * socket's cgroup: sockets created while the process was in the session).
     *
     * @throws KernelEnvironmentException when the observer did not answer (not attached, or the
     *                                    socket is not in the session's cgroup)
     */
    synchronized int read(int fd) {
        int n = ++nonce == 0 ? ++nonce : nonce;
        int r = LibC.setsockoptInt(fd, LEVEL, OPT_CB_FLAGS, n);
        byte[] v = program.map(0).lookup(KernelMap.key(0)).orElseThrow();
        ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(8) != n) {
            throw new KernelEnvironmentException("the native backend's flag observer (cgroup setsockopt program '"
                    + PROGRAM_NAME + "') did not answer for fd " + fd + ": setsockopt(" + LEVEL_HEX + ", "
                    + OPT_CB_FLAGS + ") returned " + (r < 0 ? ErrnoNames.describe(r) : r)
                    + "; was the socket created outside the session's cgroup?");
        }
        int ret = b.getInt(0);
        return ret < 0 ? ret : b.getInt(4);
    }

    @Override
    public void close() {
        program.close();
    }
}
