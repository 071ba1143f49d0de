package dev.autolowat.conformance.scenario;

import dev.autolowat.api.spi.Invocation;

import java.util.List;

/**
 * What the attached program itself wrote, read from its maps after a step (SEMANTICS.md, "What agree
 * means": the log a program writes into a map). Each part is {@code null} when the program does not
 * write it or the backend cannot read maps.
 *
 * @param invLog      the accepted socket's {@code inv_log} value, decoded: every entry so far
 * @param rets        the {@value ScenarioPrograms#RETS} slots (helper results)
 * @param enableState whether the reference enable path's per-socket state exists (A2)
 */
public record ProgramView(List<Invocation> invLog, List<Long> rets, Boolean enableState) {
    public static final ProgramView EMPTY = new ProgramView(null, null, null);

    public ProgramView {
        invLog = invLog == null ? null : List.copyOf(invLog);
        rets = rets == null ? null : List.copyOf(rets);
    }
}
