package dev.autolowat.conformance.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code autolowat vm-run}: the bpf_conformance plugin protocol (memory as a hex argument, the
 * program as hex, r0 printed in hex; a rejection or abort on standard error with exit status 1),
 * in both execution modes.
 */
class VmRunCommandTest {
    private static final String[] MODES = {"--jit", "--interpret"};

    private static CliRun run(String mode, String memory, String program, String... more) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("vm-run"));
        if (memory != null) {
            args.add(memory);
        }
        args.add(mode);
        args.add("--program");
        args.add(program);
        args.addAll(java.util.List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    @DisplayName("r1 is the memory, r2 its length; r0 is printed in hex; the runner's spacing of hex bytes is accepted")
    void memoryAndLength() {
        // r0 = r2; exit  (bpf_conformance's mem-len)
        String program = "bf  20  00  00  00  00  00  00  95  00  00  00  00  00  00  00 ";
        for (String mode : MODES) {
            CliRun r = run(mode, "00  00  00  01  00  00  00  02 ", program);
            assertEquals(0, r.exit(), r.err());
            assertEquals("0x8", r.out().strip(), mode);
        }
    }

    @Test
    @DisplayName("regression (ldxh-all): be16 of a loaded half-word while r0 holds the memory pointer")
    void byteSwapWithAPointerInR0() {
        // r0 = r1; r9 = *(u16 *)(r0 + 0); r9 = be16 r9; r0 = r9; exit
        String program = "bf 10 00 00 00 00 00 00 69 09 00 00 00 00 00 00 dc 09 00 00 10 00 00 00 "
                + "bf 90 00 00 00 00 00 00 95 00 00 00 00 00 00 00";
        for (String mode : MODES) {
            CliRun r = run(mode, "12 34", program, "-v");
            assertEquals(0, r.exit(), r.err());
            assertEquals("0x1234", r.out().strip(), mode);
            assertTrue(r.err().contains(mode.equals("--jit") ? "JIT" : "INTERPRETER"), r.err());
            // scripts/bpf-conformance.sh counts these lines with exactly this pattern
            assertTrue(r.err().lines().anyMatch(l -> l.matches("autolowat vm-run: [0-9]+ slots, "
                    + (mode.equals("--jit") ? "JIT" : "INTERPRETER"))), r.err());
        }
    }

    @Test
    @DisplayName("bpf-to-bpf calls run translated in --jit mode (r1-r5 passed, r6-r9 kept)")
    void localCall() {
        // r6 = 6; r1 = 20; call +3; r0 += r6; exit; f: r0 = r1; r0 += 1; exit
        String program = "b7 06 00 00 06 00 00 00 b7 01 00 00 14 00 00 00 85 10 00 00 02 00 00 00 "
                + "0f 60 00 00 00 00 00 00 95 00 00 00 00 00 00 00 "
                + "bf 10 00 00 00 00 00 00 07 00 00 00 01 00 00 00 95 00 00 00 00 00 00 00";
        for (String mode : MODES) {
            CliRun r = run(mode, null, program, "-v");
            assertEquals(0, r.exit(), r.err());
            assertEquals("0x1b", r.out().strip(), mode);
            assertTrue(r.err().contains(mode.equals("--jit") ? "JIT" : "INTERPRETER"), r.err());
        }
    }

    @Test
    @DisplayName("a shift by an out-of-range immediate is rejected at load (the Linux verifier's 'invalid shift'): "
            + "exit 1, the reason on standard error")
    void outOfRangeShiftIsRejected() {
        // r0 = 1; r0 <<= 64; exit
        String program = "b7 00 00 00 01 00 00 00 67 00 00 00 40 00 00 00 95 00 00 00 00 00 00 00";
        for (String mode : MODES) {
            CliRun r = run(mode, null, program);
            assertEquals(1, r.exit(), r.out());
            assertTrue(r.err().contains("invalid shift 64"), r.err());
            assertEquals("", r.out());
        }
    }

    @Test
    @DisplayName("an access outside the memory aborts: exit 1 with the VM's reason; bad hex: exit 2")
    void abortsAndBadInput() {
        // r0 = *(u32 *)(r1 + 4); exit, with 4 bytes of memory
        String program = "61 10 04 00 00 00 00 00 95 00 00 00 00 00 00 00";
        for (String mode : MODES) {
            CliRun r = run(mode, "01 02 03 04", program);
            assertEquals(1, r.exit(), r.out());
            assertTrue(r.err().contains("aborted at pc 0"), r.err());
        }
        assertEquals(2, run("--jit", "0g", program).exit());
        assertEquals(2, run("--jit", null, "95 00 00").exit());
        assertEquals(2, CliRun.of("vm-run", "--jit", "--interpret", "--program", program).exit());
    }
}
