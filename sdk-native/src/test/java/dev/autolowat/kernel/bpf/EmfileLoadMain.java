package dev.autolowat.kernel.bpf;

import dev.autolowat.api.asm.Assembler;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.kernel.sys.LibC;

import java.util.ArrayList;
import java.util.List;

import static dev.autolowat.api.asm.Reg.R0;

/**
 * Loads a valid program with the process's descriptor table full: the verifier passes, then the
 * kernel has no descriptor for the program ({@code EMFILE}). Run in a child JVM by
 * {@link LoadErrorClassificationTest} (filling a Surefire fork's table would break it). Prints
 * {@code RESULT <exception class> <message>}.
 */
final class EmfileLoadMain {
    private EmfileLoadMain() {
    }

    public static void main(String[] args) {
        SockOpsProgram.Bytecode ok = new Assembler().mov64(R0, 1).exit().program("emfile_ok", "GPL", List.of());
        // warm up every class the failing load needs: loading a class may need a descriptor
        new ProgramLoader().load(ok).close();
        try {
            throw new VerifierRejectedException("x", 13, "x", false);
        } catch (VerifierRejectedException e) {
            // loaded
        }
        BpfSyscall.failure(BpfCommand.PROG_LOAD, -24, "warm-up").getMessage();
        List<Integer> fds = new ArrayList<>();
        String result;
        try {
            while (true) {
                int fd = LibC.dupCloexec(0);
                if (fd < 0) {
                    break;
                }
                fds.add(fd);
            }
            try {
                new ProgramLoader().load(ok).close();
                result = "RESULT loaded";
            } catch (RuntimeException e) {
                result = "RESULT " + e.getClass().getName() + " " + e.getMessage().replace('\n', ' ');
            }
        } finally {
            for (int fd : fds) {
                LibC.close(fd);
            }
        }
        System.out.println(result + " (" + fds.size() + " descriptors filled the table)");
    }
}
