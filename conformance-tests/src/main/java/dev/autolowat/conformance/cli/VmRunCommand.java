package dev.autolowat.conformance.cli;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.program.BpfBytecode;
import dev.autolowat.sim.vm.BpfVmException;
import dev.autolowat.sim.vm.VmLoader;
import dev.autolowat.sim.vm.VmOptions;
import dev.autolowat.sim.vm.VmProgram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code autolowat vm-run}: one eBPF program in the simulator's VM, as a plugin of the
 * bpf_conformance ISA suite (Alan-Jowett/bpf_conformance) sees one: the initial memory as hex bytes
 * in the first argument (absent when the test has none), the program's instructions as hex bytes on
 * standard input, r0 printed in hex on standard output; a rejected or aborted program prints the
 * reason on standard error and exits with 1. The program runs as a raw program
 * ({@link VmLoader#loadRaw}): r1 points to the memory buffer, r2 holds its length, r10 to the
 * stack; the load-time checks are the VM's (the Linux verifier's static checks, see
 * docs/programs.md for the deliberate differences from other runtimes).
 *
 * <p>Run the suite with {@code scripts/bpf-conformance.sh DIR}.
 */
@Command(name = "vm-run", mixinStandardHelpOptions = true,
        description = {"Run one eBPF program in the simulator's VM (a bpf_conformance plugin): the memory as hex "
                + "bytes in MEMORY, the program as hex bytes on standard input; prints r0 in hex.",
            "r1 = the memory buffer, r2 = its length. Exit status 1 when the program is rejected or aborted "
                + "(the reason on standard error), 2 on bad input."})
public final class VmRunCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MEMORY",
            description = "The initial memory as hex bytes, whitespace allowed (e.g. \"00 01 ff\"); none: empty.")
    String memory;

    @Option(names = "--jit", description = "Translate the program to JVM bytecode (the default mode).")
    boolean jit;

    @Option(names = "--interpret", description = "Interpret the program instruction by instruction.")
    boolean interpret;

    @Option(names = "--program", paramLabel = "HEX",
            description = "The program as hex bytes instead of standard input.")
    String program;

    @Option(names = "--elf", description = "Not supported: the program must be raw instructions.")
    boolean elf;

    @Option(names = {"-v", "--verbose"},
            description = "Print the execution mode (and why a --jit program is interpreted) on standard error.")
    boolean verbose;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (jit && interpret) {
            throw CliErrors.bad(spec, "--jit and --interpret exclude each other");
        }
        if (elf) {
            throw CliErrors.bad(spec, "ELF input is not supported; run the suite without --elf");
        }
        byte[] mem;
        byte[] code;
        try {
            mem = memory == null ? new byte[0] : hex(memory, "MEMORY");
            code = hex(program != null ? program : read(System.in), "the program");
        } catch (IllegalArgumentException e) {
            throw CliErrors.bad(spec, e.getMessage());
        }
        VmOptions.ExecutionMode mode = interpret ? VmOptions.ExecutionMode.INTERPRETER
                : jit ? VmOptions.ExecutionMode.JIT : VmOptions.ExecutionMode.fromSystemProperty();
        VmProgram prog;
        try {
            // the memory is a test's, not a socket's: a fixed clock, the return value as it is
            prog = VmLoader.loadRaw("vm-run", BpfBytecode.of(code), mem.length, new VmOptions(true, () -> 0, false,
                    mode));
        } catch (ProgramRejectedException e) {
            err.println(e.getMessage());
            err.flush();
            return 1;
        } catch (IllegalArgumentException e) { // BpfBytecode: not whole instructions, too many
            throw CliErrors.bad(spec, e.getMessage());
        }
        if (verbose) {
            err.println("autolowat vm-run: " + prog.slots() + " slots, " + prog.executionMode()
                    + prog.fallbackReason().map(r -> " (interpreted: " + r + ")").orElse(""));
            err.flush();
        }
        try {
            long r0 = prog.runRaw(mem);
            out.println("0x" + Long.toHexString(r0));
            out.flush();
            return 0;
        } catch (BpfVmException e) {
            err.println(e.getMessage());
            err.flush();
            return 1;
        }
    }

    private static String read(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        in.transferTo(buf);
        return buf.toString(StandardCharsets.US_ASCII);
    }

    /** Hex bytes with any whitespace between them (bpf_conformance writes "b7  00  ..."); an optional 0x per byte. */
    static byte[] hex(String text, String what) {
        String[] tokens = text.trim().isEmpty() ? new String[0] : text.trim().split("\\s+");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String t : tokens) {
            String digits = t.startsWith("0x") || t.startsWith("0X") ? t.substring(2) : t;
            if (digits.isEmpty() || digits.length() % 2 != 0) {
                throw new IllegalArgumentException(what + ": '" + t + "' is not a whole number of hex bytes");
            }
            for (int i = 0; i < digits.length(); i += 2) {
                int hi = Character.digit(digits.charAt(i), 16);
                int lo = Character.digit(digits.charAt(i + 1), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException(what + ": '" + t + "' is not hex");
                }
                out.write(hi << 4 | lo);
            }
        }
        return out.toByteArray();
    }
}
