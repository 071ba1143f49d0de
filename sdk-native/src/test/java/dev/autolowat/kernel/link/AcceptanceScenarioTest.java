package dev.autolowat.kernel.link;

import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.asm.Helper;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.asm.SockOpsCtx;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.spi.Family;
import dev.autolowat.kernel.bpf.KernelMap;
import dev.autolowat.kernel.bpf.BpfTestSupport;
import dev.autolowat.kernel.bpf.LoadedProgram;
import dev.autolowat.kernel.bpf.ProgramLoader;
import dev.autolowat.kernel.bpf.QueryResult;
import dev.autolowat.kernel.cgroup.SessionCgroup;
import dev.autolowat.kernel.socket.NativeTcpPair;
import dev.autolowat.kernel.sys.LibC;
import dev.autolowat.kernel.sysfs.NetSysctls;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.autolowat.api.asm.Reg.R0;
import static dev.autolowat.api.asm.Reg.R1;
import static dev.autolowat.api.asm.Reg.R10;
import static dev.autolowat.api.asm.Reg.R2;
import static dev.autolowat.api.asm.Reg.R3;
import static dev.autolowat.api.asm.Reg.R4;
import static dev.autolowat.api.asm.Reg.R5;
import static dev.autolowat.api.asm.Reg.R6;
import static dev.autolowat.api.asm.Reg.R7;
import static dev.autolowat.api.asm.Reg.R8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The acceptance scenario: a sock_ops program built with the SDK's {@link Assembler}, attached to
 * the session's cgroup, sets SO_RCVLOWAT through {@code bpf_setsockopt} on the established
 * callbacks (rule K3) and logs each invocation to a map; userspace observes both.
 */
@DisplayName("Acceptance: an assembled sock_ops program sets SO_RCVLOWAT via bpf_setsockopt (K3) and logs its invocations")
class AcceptanceScenarioTest {

    static final int OPS = 0;
    static final int CFG = 1;
    static final int RETS = 2;

    /**
     * ops[op] += 1 for every invocation (atomic add); on ops 4 and 5,
     * rets[op] = bpf_setsockopt(skops, SOL_SOCKET, SO_RCVLOWAT, &cfg[0], 4).
     */
    static SockOpsProgram.Bytecode program() {
        Assembler a = new Assembler();
        a.mov64(R6, R1)
                .ldxw(R7, R6, SockOpsCtx.OP)
                // ops[op] += 1
                .stxw(R10, R7, -4)
                .mov64(R2, R10).add64(R2, -4)
                .loadMap(R1, OPS)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jeq(R0, 0, "counted")
                .mov64(R1, 1)
                .atomicAdd(Opcode.DW, R0, R1, 0)
                .label("counted")
                .jeq(R7, 4, "set")
                .jeq(R7, 5, "set")
                .ja("out")
                // val = cfg[0]
                .label("set")
                .stw(R10, -4, 0)
                .mov64(R2, R10).add64(R2, -4)
                .loadMap(R1, CFG)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jeq(R0, 0, "out")
                .ldxw(R1, R0, 0)
                .stxw(R10, R1, -8)
                .mov64(R1, R6)
                .mov64(R2, LibC.SOL_SOCKET)
                .mov64(R3, LibC.SO_RCVLOWAT)
                .mov64(R4, R10).add64(R4, -8)
                .mov64(R5, 4)
                .call(Helper.SETSOCKOPT)
                .mov64(R8, R0)
                // rets[op] = r0
                .stxw(R10, R7, -4)
                .mov64(R2, R10).add64(R2, -4)
                .loadMap(R1, RETS)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jeq(R0, 0, "out")
                .stxdw(R0, R8, 0)
                .label("out")
                .mov64(R0, 1)
                .exit();
        return a.program("k3_rcvlowat", "GPL", List.of(
                new MapSpec("ops", MapType.ARRAY, 4, 8, 32),
                new MapSpec("cfg", MapType.ARRAY, 4, 4, 1),
                new MapSpec("rets", MapType.ARRAY, 4, 8, 32)));
    }

    record Row(int set, int clientLowat, int clientRcvbuf, int serverLowat, int serverRcvbuf) {
    }

    @Test
    @DisplayName("K3 from ops 4 and 5: the values of kernel-facts.md, and ops 4 and 5 appear in the invocation log")
    void acceptance() {
        BpfTestSupport.requireRootAndCgroup2();
        NetSysctls sys = NetSysctls.read();
        int defaultRcvbuf;
        try (NativeTcpPair plain = NativeTcpPair.open(Family.INET)) {
            defaultRcvbuf = plain.rcvBuf();
        }
        int cap = sys.tcpRmemMax() / 2;
        int[] values = {100, 0, -1, 5_000_000, 40_000_000};
        List<String> report = new ArrayList<>();
        try (LoadedProgram lp = new ProgramLoader().load(program()); SessionCgroup session = SessionCgroup.open()) {
            CgroupAttachment att = session.attach(lp);
            QueryResult q = session.attachedPrograms(CgroupAttachType.CGROUP_SOCK_OPS);
            assertTrue(q.contains(lp.program().id()), "PROG_QUERY lists the program: " + q);
            KernelMap ops = lp.map("ops");
            KernelMap cfg = lp.map("cfg");
            KernelMap rets = lp.map("rets");
            for (int v : values) {
                for (int op = 0; op < 32; op++) {
                    ops.putLong(op, 0);
                    rets.putLong(op, Long.MIN_VALUE);
                }
                cfg.putInt(0, v);
                Row got;
                try (NativeTcpPair p = NativeTcpPair.open(Family.INET)) {
                    got = new Row(v, p.peerGetsockopt(LibC.SOL_SOCKET, LibC.SO_RCVLOWAT),
                            p.peerGetsockopt(LibC.SOL_SOCKET, LibC.SO_RCVBUF), p.rcvLowat(), p.rcvBuf());
                }
                Map<Integer, Long> seen = new TreeMap<>();
                for (int op = 0; op < 32; op++) {
                    long n = ops.lookupLong(op).orElseThrow();
                    if (n != 0) {
                        seen.put(op, n);
                    }
                }
                long ret4 = rets.lookupLong(4).orElseThrow();
                long ret5 = rets.lookupLong(5).orElseThrow();
                report.add("set " + v + ": client lowat " + got.clientLowat() + " rcvbuf " + got.clientRcvbuf()
                        + ", server lowat " + got.serverLowat() + " rcvbuf " + got.serverRcvbuf()
                        + "; ops seen " + seen + "; bpf_setsockopt returned " + ret4 + " (op 4), " + ret5 + " (op 5)");
                assertTrue(seen.containsKey(4), "op 4 (ACTIVE_ESTABLISHED_CB) logged: " + seen);
                assertTrue(seen.containsKey(5), "op 5 (PASSIVE_ESTABLISHED_CB) logged: " + seen);
                assertEquals(0, ret4, "bpf_setsockopt on op 4");
                assertEquals(0, ret5, "bpf_setsockopt on op 5");
                // client: as userspace setsockopt (K2)
                int clientLowat = v < 0 ? cap : Math.max(1, Math.min(v, cap));
                int clientRcvbuf = Math.max(defaultRcvbuf, Math.min(2 * clientLowat, sys.tcpRmemMax()));
                // server (not yet accepted): stored as given, no cap, no growth
                int serverLowat = v == 0 ? 1 : v < 0 ? Integer.MAX_VALUE : v;
                assertEquals(new Row(v, clientLowat, clientRcvbuf, serverLowat, defaultRcvbuf), got, "K3 row for " + v);
            }
            att.close();
            assertEquals(0, session.attachedPrograms(CgroupAttachType.CGROUP_SOCK_OPS).count());
        }
        report.forEach(r -> System.out.println("[K3 acceptance] " + r));
    }

    @Test
    @DisplayName("an SK_STORAGE map (created with generated BTF) counts sock_ops invocations per socket; userspace reads it by socket fd")
    void skStoragePerSocket() {
        BpfTestSupport.requireRootAndCgroup2();
        Assembler a = new Assembler();
        a.mov64(R6, R1)
                .ldxdw(R2, R6, SockOpsCtx.SK)
                .jeq(R2, 0, "out")
                .loadMap(R1, 0)
                .mov64(R3, 0)
                .mov64(R4, Helper.SK_STORAGE_GET_F_CREATE)
                .call(Helper.SK_STORAGE_GET)
                .jeq(R0, 0, "out")
                .mov64(R1, 1)
                .atomicAdd(Opcode.DW, R0, R1, 0)
                .label("out")
                .mov64(R0, 1)
                .exit();
        SockOpsProgram.Bytecode p = a.program("sk_count", "GPL", List.of(new MapSpec("per_sock", MapType.SK_STORAGE, 4, 8, 0)));
        try (LoadedProgram lp = new ProgramLoader().load(p); SessionCgroup session = SessionCgroup.open()) {
            session.attach(lp);
            try (NativeTcpPair pair = NativeTcpPair.open(Family.INET)) {
                KernelMap perSock = lp.map("per_sock");
                long client = perSock.lookupLong(pair.clientFd()).orElseThrow();
                long server = perSock.lookupLong(pair.acceptedFd()).orElseThrow();
                System.out.println("[sk_storage] sock_ops invocations: client socket " + client + ", accepted socket " + server);
                assertTrue(client >= 2 && server >= 1, "client " + client + ", server " + server);
            }
        }
    }
}
