package dev.autolowat.conformance.scenario;

import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;
import dev.autolowat.sim.policy.ReferenceAutoLowat;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link ProgramChoice} with its arguments: what a scenario attaches. Text: the choice's name and its
 * arguments ({@code k3-logger 100}, {@code flags-probe 0x84 0x5}).
 *
 * @param choice the program
 * @param args   its int arguments ({@link ProgramChoice#arity()} of them)
 */
public record ProgramSpec(ProgramChoice choice, List<Integer> args) {
    public static final ProgramSpec NONE = new ProgramSpec(ProgramChoice.NONE, List.of());

    public ProgramSpec {
        Objects.requireNonNull(choice, "choice");
        args = List.copyOf(args);
        if (args.size() != choice.arity()) {
            throw new IllegalArgumentException("program " + choice.text() + " takes " + choice.arity() + " argument(s) "
                    + choice.argsHelp() + ", got " + args);
        }
    }

    public static ProgramSpec of(ProgramChoice choice, int... args) {
        return new ProgramSpec(choice, java.util.Arrays.stream(args).boxed().toList());
    }

    public int arg(int i) {
        return args.get(i);
    }

    /** The sock_ops programs, in attach order (empty for {@link ProgramChoice#NONE}). */
    public List<SockOpsProgram> sockOpsPrograms() {
        return switch (choice) {
            case NONE -> List.of();
            case LOGGER -> List.of(ScenarioPrograms.logger());
            case K3_LOGGER -> List.of(ScenarioPrograms.k3Logger(arg(0)));
            case K3_CHAIN -> List.of(ScenarioPrograms.k3Setter(arg(0)), ScenarioPrograms.k3Logger(arg(1)));
            case FLAGS_PROBE -> List.of(ScenarioPrograms.flagsProbe(arg(0), arg(1)));
            case KFUNC_SETTER -> List.of(ScenarioPrograms.kfuncSetter(arg(0)));
            case REFERENCE_JAVA -> List.of(ReferenceAutoLowat.sockOpsProgram());
            case REFERENCE_BYTECODE -> List.of(FramingPolicy.REFERENCE_RPC.sockOpsProgram());
        };
    }

    /** The cgroup setsockopt programs this choice brings (the reference policies' enable path, A2). */
    public List<SockoptProgram> sockoptPrograms() {
        return switch (choice) {
            case REFERENCE_JAVA -> List.of(ReferenceAutoLowat.enableProgram());
            case REFERENCE_BYTECODE -> List.of(FramingPolicy.REFERENCE_RPC.enableProgram());
            default -> List.of();
        };
    }

    /** Whether the program logs itself into {@code inv_log} (all bytecode programs here except the reference policy). */
    public boolean logsItself() {
        return switch (choice) {
            case LOGGER, K3_LOGGER, K3_CHAIN, FLAGS_PROBE, KFUNC_SETTER -> true;
            default -> false;
        };
    }

    /** Whether the program stores helper results in {@value ScenarioPrograms#RETS}. */
    public boolean hasRets() {
        return choice == ProgramChoice.FLAGS_PROBE || choice == ProgramChoice.KFUNC_SETTER;
    }

    /** The text form: name and arguments (flag words in hex). */
    public String toText() {
        List<String> parts = new ArrayList<>();
        parts.add(choice.text());
        for (int a : args) {
            parts.add(choice == ProgramChoice.FLAGS_PROBE ? "0x" + Integer.toHexString(a) : Integer.toString(a));
        }
        return String.join(" ", parts);
    }

    @Override
    public String toString() {
        return toText();
    }
}
