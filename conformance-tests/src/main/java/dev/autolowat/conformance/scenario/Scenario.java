package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Family;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A conformance scenario: one connection made in a fresh session with a program attached, then
 * steps, each observed ({@link ScenarioRunner}). Scenarios have a text form that can be saved, read
 * back and replayed ({@link #toText()}, {@link #parse(String)}; the format is described in
 * {@link ScenarioText}), which is how the regression corpus stores every disagreement found.
 *
 * @param name         a label (free text, may be empty)
 * @param family       IPv4 or IPv6 loopback
 * @param mptcp        whether both ends are MPTCP sockets
 * @param program      the sock_ops program or policy attached before connecting
 * @param enablePath   an A2 enable program attached on its own ({@link EnablePath#NONE} when the
 *                     program is a reference policy, which brings its own)
 * @param stream       the bytes the peer sends
 * @param isn          the peer's initial sequence number on backends that can fix it (the
 *                     simulator), or {@code null}; comparisons use relative sequence numbers, so it
 *                     only moves where u32 wraparound happens (H6)
 * @param steps        the steps, in order
 * @param expectations documented disagreements this scenario shows (corpus files)
 */
public record Scenario(String name, Family family, boolean mptcp, ProgramSpec program, EnablePath enablePath,
                       DataStream stream, Integer isn, List<Step> steps, List<Expectation> expectations) {
    public Scenario {
        name = name == null ? "" : name.strip();
        if (name.contains("\n")) {
            throw new IllegalArgumentException("a scenario name is one line");
        }
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(enablePath, "enablePath");
        Objects.requireNonNull(stream, "stream");
        steps = List.copyOf(steps);
        expectations = List.copyOf(expectations);
        if (program.choice().isReferencePolicy() && enablePath != EnablePath.NONE) {
            throw new IllegalArgumentException("program " + program.toText() + " brings its own enable path; drop 'enable-path "
                    + enablePath.text() + "'");
        }
    }

    /** A scenario over IPv4 with no program, the counter stream and these steps. */
    public static Scenario of(List<Step> steps) {
        return new Scenario("", Family.INET, false, ProgramSpec.NONE, EnablePath.NONE, DataStream.COUNTER, null, steps,
                List.of());
    }

    /** A scenario with this program and these steps (IPv4, counter stream). */
    public static Scenario of(ProgramSpec program, Step... steps) {
        return of(List.of(steps)).withProgram(program);
    }

    public Scenario withName(String n) {
        return new Scenario(n, family, mptcp, program, enablePath, stream, isn, steps, expectations);
    }

    public Scenario withFamily(Family f) {
        return new Scenario(name, f, mptcp, program, enablePath, stream, isn, steps, expectations);
    }

    public Scenario withMptcp(boolean m) {
        return new Scenario(name, family, m, program, enablePath, stream, isn, steps, expectations);
    }

    public Scenario withProgram(ProgramSpec p) {
        return new Scenario(name, family, mptcp, p, enablePath, stream, isn, steps, expectations);
    }

    public Scenario withEnablePath(EnablePath e) {
        return new Scenario(name, family, mptcp, program, e, stream, isn, steps, expectations);
    }

    public Scenario withStream(DataStream s) {
        return new Scenario(name, family, mptcp, program, enablePath, s, isn, steps, expectations);
    }

    public Scenario withIsn(Integer i) {
        return new Scenario(name, family, mptcp, program, enablePath, stream, i, steps, expectations);
    }

    public Scenario withSteps(List<Step> s) {
        return new Scenario(name, family, mptcp, program, enablePath, stream, isn, s, expectations);
    }

    public Scenario withExpectations(List<Expectation> e) {
        return new Scenario(name, family, mptcp, program, enablePath, stream, isn, steps, e);
    }

    /** This scenario with {@code e} added to its expectations. */
    public Scenario expecting(Expectation e) {
        List<Expectation> out = new ArrayList<>(expectations);
        out.add(e);
        return withExpectations(out);
    }

    /** How the connection is made. */
    public ConnectOptions connectOptions() {
        return ConnectOptions.of(family).withMptcp(mptcp);
    }

    /** Whether any step is a {@link Step.SetFlags} (the runner then attaches {@link ScenarioPrograms#flagSetter()}). */
    public boolean setsFlags() {
        return steps.stream().anyMatch(s -> s instanceof Step.SetFlags);
    }

    /** Whether any step delivers out of order (needs {@code Capabilities.outOfOrder()}). */
    public boolean reorders() {
        return steps.stream().anyMatch(s -> s instanceof Step.SendOutOfOrder);
    }

    /** Whether a sock_ops program is attached. */
    public boolean hasSockOpsProgram() {
        return program.choice() != ProgramChoice.NONE;
    }

    /** Whether a Java handler is attached (program or enable path). */
    public boolean usesJavaHandlers() {
        return program.choice().javaHandler() || enablePath == EnablePath.REFERENCE_JAVA;
    }

    /** The text form ({@link ScenarioText#print}). */
    public String toText() {
        return ScenarioText.print(this);
    }

    /**
     * Reads the text form.
     *
     * @throws ScenarioParseException naming the line and what was expected
     */
    public static Scenario parse(String text) {
        return ScenarioText.parse(text);
    }

    /** One line: the header and the steps separated by {@code ;} (for messages and test names). */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        if (!name.isEmpty()) {
            sb.append(name).append(": ");
        }
        sb.append(family == Family.INET ? "inet" : "inet6");
        if (mptcp) {
            sb.append(" mptcp");
        }
        sb.append(", program ").append(program.toText());
        if (enablePath != EnablePath.NONE) {
            sb.append(", enable-path ").append(enablePath.text());
        }
        if (!stream.isCounter()) {
            sb.append(", stream ").append(stream.toText());
        }
        if (isn != null) {
            sb.append(", isn 0x").append(Integer.toHexString(isn));
        }
        sb.append(" | ");
        for (int i = 0; i < steps.size(); i++) {
            sb.append(i == 0 ? "" : "; ").append(steps.get(i).toText());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return summary();
    }
}
