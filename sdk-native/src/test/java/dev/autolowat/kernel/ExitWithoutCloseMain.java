package dev.autolowat.kernel;

import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.kernel.bpf.BpfSyscall;
import dev.autolowat.kernel.link.CgroupAttachType;

/**
 * Opens a native session, attaches a program, connects, prints what it made ({@code cgroup <path>},
 * {@code prog <id>}, {@code map <id>}) and returns from {@code main} without closing anything: the JVM
 * exits normally. {@link LeftoversTest} checks that nothing it printed is left.
 */
final class ExitWithoutCloseMain {
    private ExitWithoutCloseMain() {
    }

    public static void main(String[] args) {
        NativeSession s = new NativeBackend().openSession();
        s.attach(NativeTestPrograms.logger("exit_log", 8));
        s.connect(ConnectOptions.IPV4).send(new byte[2]);
        System.out.println("cgroup " + s.cgroupPath());
        for (CgroupAttachType type : new CgroupAttachType[]{CgroupAttachType.CGROUP_SOCK_OPS, CgroupAttachType.CGROUP_SETSOCKOPT}) {
            for (int id : s.attachedProgramIds(type)) {
                System.out.println("prog " + id);
                BpfSyscall.progInfoById(id).ifPresent(info -> {
                    for (int m : info.mapIds()) {
                        System.out.println("map " + m);
                    }
                });
            }
        }
        System.out.println("exiting");
    }
}
