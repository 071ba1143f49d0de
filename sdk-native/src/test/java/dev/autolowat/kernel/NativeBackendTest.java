package dev.autolowat.kernel;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.Rule;
import dev.autolowat.api.SockOpt;
import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.SockOpsHandler;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.api.spi.Capabilities;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Family;
import dev.autolowat.api.spi.Invocation;
import dev.autolowat.api.spi.Observation;
import dev.autolowat.api.spi.RecvMode;
import dev.autolowat.kernel.bpf.BpfSyscall;
import dev.autolowat.kernel.bpf.BpfTestSupport;
import dev.autolowat.kernel.bpf.PrivilegeException;
import dev.autolowat.kernel.bpf.ProgramInfo;
import dev.autolowat.kernel.bpf.VerifierRejectedException;
import dev.autolowat.api.btf.Btf;
import dev.autolowat.kernel.cgroup.Cgroup2Mount;
import dev.autolowat.kernel.link.CgroupAttachType;
import dev.autolowat.kernel.socket.MptcpUnavailableException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The native backend through the SPI on this kernel (which lacks the series): capabilities, refusals
 * (the kfunc of K1 names the missing feature; Java handlers; verifier rejections with the log;
 * duplicates), the typed errors of a machine that cannot run it (no privileges, no cgroup2, no BTF),
 * map sharing, and the observations (invocation log, flag word, SOCKMAP). Tests that need the kernel
 * are reported as "requires root" for other users.
 */
class NativeBackendTest {
    static final NativeBackend BACKEND = new NativeBackend();

    // ---- construction and discovery: no kernel needed ----

    @Test
    @DisplayName("targetBtf: the running kernel's vmlinux BTF (the CO-RE target of objects), read once and kept")
    void targetBtfIsVmlinux() {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(dev.autolowat.api.btf.Btf.VMLINUX),
                "no readable /sys/kernel/btf/vmlinux on this machine (a kernel without CONFIG_DEBUG_INFO_BTF)");
        NativeBackend b = new NativeBackend();
        dev.autolowat.api.btf.Btf btf = b.targetBtf();
        assertTrue(btf == b.targetBtf(), "kept, not parsed again");
        assertTrue(!btf.typesNamed("tcp_sock").isEmpty(), "the kernel describes struct tcp_sock");
    }

    @Test
    @DisplayName("construction never throws; ServiceLoader finds the backend as 'native'")
    void discovery() {
        assertDoesNotThrow(() -> { new NativeBackend(); });
        Backend found = Backend.installed().stream()
                .filter(b -> b.name().equals("native")).findFirst().orElseThrow();
        assertTrue(found instanceof NativeBackend);
    }

    @Test
    @DisplayName("capabilities never throw; bytecode yes, Java handlers no, out-of-order no; every rule has an answer")
    void capabilitiesShape() {
        Capabilities c = assertDoesNotThrow(() -> BACKEND.capabilities());
        assertEquals("native", c.backend());
        assertTrue(c.bytecode());
        assertFalse(c.javaHandlers());
        assertFalse(c.outOfOrder());
        System.out.println("[native capabilities] series=" + c.kernelHasSeries() + ", unsupported: " + c.unsupported().keySet()
                + (c.unsupported().isEmpty() ? "" : "; e.g. " + c.unsupported().values().iterator().next()));
    }

    // ---- capabilities as root ----

    @Test
    @DisplayName("capabilities on this kernel: the rules that need the series are 'not supported by this kernel', the others supported")
    void capabilitiesWithoutSeries() {
        BpfTestSupport.requireRootAndCgroup2();
        Capabilities c = BACKEND.capabilities();
        requireNoSeries(c);
        for (Rule r : Rule.values()) {
            if (r.needsSeries()) {
                assertFalse(c.supports(r), r + " needs the series");
                assertTrue(c.reason(r).startsWith("not supported by this kernel (" + NativeBackend.kernelRelease() + ")"),
                        c.reason(r));
                assertTrue(c.reason(r).contains("0x80"), "the F1 observation is the evidence: " + c.reason(r));
            } else {
                assertTrue(c.supports(r), r + ": " + c.reason(r));
            }
        }
        assertSame(c, BACKEND.capabilities(), "a definite answer is computed once");
    }

    static void requireNoSeries(Capabilities c) {
        if (c.kernelHasSeries()) {
            abort("this kernel carries the AutoLOWAT series: the stock-kernel expectations do not apply");
        }
    }

    @Test
    @DisplayName("no privileges (a thread without capabilities): every rule 'requires root', openSession throws PrivilegeException")
    void withoutPrivileges() {
        BpfTestSupport.requireRootAndCgroup2();
        long fds = BpfTestSupport.openFds();
        AtomicReference<Capabilities> caps = new AtomicReference<>();
        AtomicReference<RuntimeException> thrown = new AtomicReference<>();
        BpfTestSupport.withoutCapabilities(() -> {
            NativeBackend b = new NativeBackend();
            caps.set(b.capabilities());
            thrown.set(assertThrows(PrivilegeException.class, b::openSession));
        });
        for (Rule r : Rule.values()) {
            assertTrue(caps.get().reason(r).startsWith("requires root: "), r + ": " + caps.get().reason(r));
        }
        assertTrue(thrown.get().getMessage().contains(PrivilegeException.ADVICE), thrown.get().getMessage());
        System.out.println("[no privileges] " + thrown.get().getMessage());
        assertEquals(fds, BpfTestSupport.openFds(), "nothing left open");
    }

    @Test
    @DisplayName("no cgroup2 mount: every rule 'not supported by this machine', openSession throws KernelEnvironmentException")
    void withoutCgroup2(@TempDir Path dir) throws IOException {
        BpfTestSupport.requireRoot();
        Path mounts = dir.resolve("mounts");
        Files.writeString(mounts, "proc /proc proc rw 0 0\nsysfs /sys sysfs rw 0 0\n");
        NativeBackend b = new NativeBackend(mounts, Btf.VMLINUX, step -> { });
        for (Rule r : Rule.values()) {
            assertTrue(b.capabilities().reason(r).startsWith("not supported by this machine: no cgroup2 mount"),
                    b.capabilities().reason(r));
        }
        KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class, b::openSession);
        assertTrue(e.getMessage().contains("no cgroup2 mount in " + mounts), e.getMessage());
    }

    @Test
    @DisplayName("no vmlinux BTF: K1 and A1-A6 unsupported; a program with kfunc or field relocations fails with KernelEnvironmentException")
    void withoutBtf(@TempDir Path dir) {
        BpfTestSupport.requireRootAndCgroup2();
        NativeBackend b = new NativeBackend(Cgroup2Mount.PROC_MOUNTS, dir.resolve("vmlinux"), step -> { });
        Capabilities c = b.capabilities();
        for (Rule r : NativeBackend.KFUNC_RULES) {
            assertTrue(c.reason(r).contains("no vmlinux BTF"), c.reason(r));
        }
        try (NativeSession s = b.openSession()) {
            KernelEnvironmentException e = assertThrows(KernelEnvironmentException.class,
                    () -> s.attach(NativeTestPrograms.k3Logger("nobtf", 1)));
            assertTrue(e.getMessage().contains("no vmlinux BTF at " + dir.resolve("vmlinux")), e.getMessage());
            assertTrue(e.getMessage().contains("CONFIG_DEBUG_INFO_BTF"), e.getMessage());
            // a program without such relocations still runs
            s.attach(NativeTestPrograms.setFlags("nobtf_ok", 0x4));
        }
    }

    // ---- refusals ----

    @Test
    @DisplayName("the reference policy (FramingPolicy.REFERENCE_RPC) is refused at attach: MissingKernelFeatureException naming the kfunc, the kernel and the rules")
    void referencePolicyRefused() {
        BpfTestSupport.requireRootAndCgroup2();
        requireNoSeries(BACKEND.capabilities());
        long fds = BpfTestSupport.openFds();
        try (NativeSession s = BACKEND.openSession()) {
            int[] before = s.attachedProgramIds(CgroupAttachType.CGROUP_SOCK_OPS);
            MissingKernelFeatureException e = assertThrows(MissingKernelFeatureException.class,
                    () -> s.attach(FramingPolicy.REFERENCE_RPC.compile()));
            String release = NativeBackend.kernelRelease();
            assertEquals("program 'autolowat' calls the kfunc bpf_sock_ops_tcp_set_rcvlowat, which this kernel ("
                    + release + ") lacks: it needs the AutoLOWAT series (BPF_SOCK_OPS_RCVQ_CB); rules K1, H1, H2, A1–A6"
                    + " are not supported by this kernel", e.getMessage());
            assertEquals("autolowat", e.program());
            assertEquals("kfunc bpf_sock_ops_tcp_set_rcvlowat", e.feature());
            assertEquals(release, e.kernelRelease());
            assertTrue(e.rules().containsAll(List.of(Rule.K1, Rule.H1, Rule.H2, Rule.A6)));
            assertTrue(e instanceof ProgramRejectedException);
            assertEquals(java.util.Optional.of("kernel"), e.unsupportedBy(), "what the SPI's callers see");
            assertArrayEquals(before, s.attachedProgramIds(CgroupAttachType.CGROUP_SOCK_OPS), "nothing attached");
            assertEquals(List.of(), s.mapNames(), "no map created");
            // the session is still usable
            s.attach(NativeTestPrograms.k3Logger("after_refusal", 7));
            try (NativeConnection c = s.connect(ConnectOptions.IPV4)) {
                assertEquals(7, c.rcvLowat());
            }
        }
        assertEquals(fds, BpfTestSupport.openFds());
    }

    @Test
    @DisplayName("bpf_skb_load_bytes in a sock_ops program is refused as a missing feature of this kernel")
    void skbLoadBytesRefused() {
        BpfTestSupport.requireRootAndCgroup2();
        requireNoSeries(BACKEND.capabilities());
        try (NativeSession s = BACKEND.openSession()) {
            MissingKernelFeatureException e = assertThrows(MissingKernelFeatureException.class,
                    () -> s.attach(NativeTestPrograms.skbLoadBytes("skb_bytes")));
            assertTrue(e.getMessage().startsWith("program 'skb_bytes' calls bpf_skb_load_bytes (helper 26) from a sock_ops"
                    + " program, which this kernel (" + NativeBackend.kernelRelease() + ") does not allow"), e.getMessage());
            assertTrue(e.getMessage().contains("AutoLOWAT series"), e.getMessage());
        }
    }

    @Test
    @DisplayName("Java handlers are refused: the native backend runs bytecode only")
    void handlersRefused() {
        BpfTestSupport.requireRootAndCgroup2();
        try (NativeSession s = BACKEND.openSession()) {
            ProgramRejectedException e = assertThrows(ProgramRejectedException.class,
                    () -> s.attach(SockOpsProgram.of("java_ops", (SockOpsHandler) (ev, ctx) -> 1)));
            assertTrue(e.getMessage().contains("'java_ops' is a Java handler"), e.getMessage());
            assertTrue(e.getMessage().contains("the native backend runs bytecode only"), e.getMessage());
            ProgramRejectedException e2 = assertThrows(ProgramRejectedException.class,
                    () -> s.attach(SockoptProgram.of("java_opt", ctx -> 1)));
            assertTrue(e2.getMessage().contains("the native backend runs bytecode only"), e2.getMessage());
            // a policy whose programs are handlers: refused too
            assertThrows(ProgramRejectedException.class, () -> s.attach(dev.autolowat.api.program.Policy.of("p",
                    SockOpsProgram.of("p", (SockOpsHandler) (ev, ctx) -> 1), SockoptProgram.of("p_en", ctx -> 1))));
        }
    }

    @Test
    @DisplayName("a verifier rejection is a VerifierRejectedException carrying the verifier log; nothing is left behind")
    void verifierRejection() {
        BpfTestSupport.requireRootAndCgroup2();
        try (NativeSession s = BACKEND.openSession()) {
            long fds = BpfTestSupport.openFds();
            VerifierRejectedException e = assertThrows(VerifierRejectedException.class,
                    () -> s.attach(NativeTestPrograms.verifierReject("bad_prog")));
            assertTrue(e.getMessage().contains("the verifier rejected program 'bad_prog'"), e.getMessage());
            assertTrue(e.log().contains("R2 !read_ok"), e.log());
            assertTrue(e.getMessage().contains(e.log().strip()), "the message includes the log");
            assertEquals(fds, BpfTestSupport.openFds(), "the map created for it was closed again");
            assertEquals(List.of(), s.mapNames());
        }
    }

    @Test
    @DisplayName("attaching the same program twice is refused; another program with an equal map is attached and shares it")
    void duplicatesAndSharing() {
        BpfTestSupport.requireRootAndCgroup2();
        MapSpec state = new MapSpec("shared_st", MapType.SK_STORAGE, 4, 16, 0);
        try (NativeSession s = BACKEND.openSession()) {
            SockOpsProgram.Bytecode one = NativeTestPrograms.storageUser("share_one", state);
            s.attach(one);
            ProgramRejectedException twice = assertThrows(ProgramRejectedException.class, () -> s.attach(one));
            assertTrue(twice.getMessage().contains("already attached"), twice.getMessage());
            s.attach(NativeTestPrograms.storageUser("share_two", state));
            int[] ids = s.attachedProgramIds(CgroupAttachType.CGROUP_SOCK_OPS);
            assertEquals(2, ids.length);
            int[] maps0 = BpfSyscall.progInfoById(ids[0]).map(ProgramInfo::mapIds).orElseThrow();
            int[] maps1 = BpfSyscall.progInfoById(ids[1]).map(ProgramInfo::mapIds).orElseThrow();
            assertArrayEquals(maps0, maps1, "both programs use the one map");
            assertEquals(s.map("shared_st").info().id(), maps0[0]);
            // the same name with another spec is refused
            ProgramRejectedException other = assertThrows(ProgramRejectedException.class, () -> s.attach(
                    NativeTestPrograms.storageUser("share_bad", new MapSpec("shared_st", MapType.SK_STORAGE, 4, 32, 0))));
            assertTrue(other.getMessage().contains("declare it identically"), other.getMessage());
            // the reference policy's enable path loads here (it needs no kfunc) and declares its state map
            s.attach(FramingPolicy.REFERENCE_RPC.enableProgram());
            assertTrue(s.mapNames().contains(FramingPolicy.REFERENCE_RPC.stateMap().name()));
        }
    }

    @Test
    @DisplayName("one native session per JVM at a time")
    void oneSessionAtATime() {
        BpfTestSupport.requireRootAndCgroup2();
        try (NativeSession s = BACKEND.openSession()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, BACKEND::openSession);
            assertTrue(e.getMessage().contains("still open and reachable"), e.getMessage());
            assertFalse(s.isClosed());
        }
        BACKEND.openSession().close();
    }

    // ---- observations ----

    @ParameterizedTest(name = "{0}")
    @EnumSource(Family.class)
    @DisplayName("observation: K3 lowat, the program's own invocation log (op 5 once), readiness, FIONREAD, flag word")
    void observation(Family family) {
        BpfTestSupport.requireRootAndCgroup2();
        try (NativeSession s = BACKEND.openSession()) {
            s.attach(NativeTestPrograms.k3Logger("obs_k3", 100));
            s.attach(NativeTestPrograms.setFlags("obs_flags", 0x1));
            try (NativeConnection c = s.connect(ConnectOptions.of(family))) {
                Observation o = c.observe();
                assertEquals(new Observation(100, o.rcvBuf(), false, 0, 0x1, 0, List.of(new Invocation(5, 0, 0, 0))), o);
                assertEquals(100, c.peerGetsockopt(SockOpt.SOL_SOCKET, SockOpt.SO_RCVLOWAT), "K3 on op 4 (client)");
                assertEquals(List.of(), c.observe().invocations(), "drained");
                assertEquals(100, c.send(new byte[100], 60, 40));
                o = c.observe();
                assertTrue(o.readable());
                assertEquals(1, o.edgeWakeups());
                assertEquals(100, o.queuedBytes());
                assertEquals(100, c.recv(new byte[200], 0, 200, RecvMode.NON_BLOCKING));
                assertEquals(0x1, c.cbFlags());
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                        () -> c.sendOutOfOrder(new byte[2], new int[]{1, 1}, new int[]{1, 0}));
                assertTrue(e.getMessage().contains("loopback TCP delivers in order"), e.getMessage());
            }
        }
    }

    @Test
    @DisplayName("the invocation log is a ring: entries beyond its capacity between two observations are counted as dropped")
    void logRing() {
        BpfTestSupport.requireRootAndCgroup2();
        try (NativeSession s = BACKEND.openSession()) {
            s.attach(NativeTestPrograms.logger("ring_log", 1));
            s.attach(NativeTestPrograms.setFlags("ring_flags", 0x4));      // STATE_CB: op 10 on state changes
            try (NativeConnection c = s.connect(ConnectOptions.IPV4)) {
                List<Invocation> first = c.drainInvocations();
                assertEquals(1, first.size(), first.toString());
                c.peerShutdownWrite();                                    // ESTABLISHED -> CLOSE_WAIT: op 10
                c.shutdown(dev.autolowat.api.spi.Shutdown.WRITE);         // CLOSE_WAIT -> LAST_ACK: op 10 ...
                List<Invocation> next = c.drainInvocations();
                assertEquals(1, next.size(), "a one-entry ring keeps the newest entry: " + next);
                assertEquals(10, next.get(0).op());
                assertTrue(c.droppedInvocations() >= 1, "dropped " + c.droppedInvocations());
                assertEquals(c.droppedInvocations(), c.observe().droppedInvocations(),
                        "the SPI's Observation reports the same count (issue #14)");
            }
        }
    }

    @Test
    @DisplayName("F4 on this kernel: the SOCKHASH takes the socket, again (0), removes it, then -ENOENT; MPTCP -EOPNOTSUPP")
    void sockmap() {
        BpfTestSupport.requireRootAndCgroup2();
        try (NativeSession s = BACKEND.openSession()) {
            try (NativeConnection c = s.connect(ConnectOptions.IPV6)) {
                assertEquals(0, c.addToSockmap());
                assertEquals(0, c.addToSockmap());
                assertEquals(3, c.send(new byte[3], 3));
                assertTrue(c.pair().lastArrivalSeen(), "arrival seen through TCP_INFO although FIONREAD says 0");
                assertEquals(0, c.observe().queuedBytes(), "tcp_bpf_ioctl: FIONREAD counts the psock's queue only");
                assertEquals(3, c.recv(new byte[8], 0, 8, RecvMode.NON_BLOCKING));
                assertEquals(0, c.removeFromSockmap());
                assertEquals(-2, c.removeFromSockmap());
            }
            NativeConnection m;
            try {
                m = s.connect(ConnectOptions.IPV4.withMptcp(true));
            } catch (MptcpUnavailableException e) {
                abort("not supported by this machine: " + e.getMessage());
                return;
            }
            try (m) {
                assertEquals(-95, m.addToSockmap());
                assertEquals(-2, m.removeFromSockmap());
                assertEquals(0, m.cbFlags(), "an MPTCP socket has no TCP flag word");
                assertNotNull(m.observe());
            }
        }
    }

    @Test
    @DisplayName("closing the session closes its connections; calls afterwards throw")
    void closeClosesConnections() {
        BpfTestSupport.requireRootAndCgroup2();
        long fds = BpfTestSupport.openFds();
        NativeSession s = BACKEND.openSession();
        NativeConnection c = s.connect(ConnectOptions.IPV4);
        s.close();
        assertTrue(c.isClosed());
        assertThrows(IllegalStateException.class, c::observe);
        assertThrows(IllegalStateException.class, () -> s.connect(ConnectOptions.IPV4));
        s.close();
        assertEquals(fds, BpfTestSupport.openFds());
        assertFalse(Files.exists(s.cgroupPath()));
    }
}
