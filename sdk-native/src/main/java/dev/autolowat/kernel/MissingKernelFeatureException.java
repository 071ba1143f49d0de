package dev.autolowat.kernel;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.api.Rule;

import java.util.List;
import java.util.Objects;

/**
 * The native backend refused a program at load because it needs something this kernel lacks — on a
 * kernel without the AutoLOWAT series: the kfunc {@code bpf_sock_ops_tcp_set_rcvlowat} (rule K1), or
 * {@code bpf_skb_load_bytes} in a sock_ops program (rule H1's segment access). The message names the
 * program, the missing feature, the kernel release, what would provide it and the rules this kernel
 * therefore cannot run, e.g.:
 *
 * <pre>
 * program 'autolowat' calls the kfunc bpf_sock_ops_tcp_set_rcvlowat, which this kernel (6.18.44) lacks:
 * it needs the AutoLOWAT series (BPF_SOCK_OPS_RCVQ_CB); rules K1, H1, H2, A1–A6 are not supported by this kernel
 * </pre>
 *
 * Nothing was created or attached when it is thrown.
 */
public class MissingKernelFeatureException extends ProgramRejectedException {
    private final String program;
    private final String feature;
    private final String kernelRelease;
    private final List<Rule> rules;

    /**
     * @param program       the program's name
     * @param feature       what is missing, e.g. {@code kfunc bpf_sock_ops_tcp_set_rcvlowat}
     * @param kernelRelease {@code uname -r}
     * @param rules         the rules that cannot run without it (may be empty)
     * @param message       the whole message
     */
    public MissingKernelFeatureException(String program, String feature, String kernelRelease, List<Rule> rules,
                                         String message) {
        super(message);
        this.program = Objects.requireNonNull(program, "program");
        this.feature = Objects.requireNonNull(feature, "feature");
        this.kernelRelease = Objects.requireNonNull(kernelRelease, "kernelRelease");
        this.rules = List.copyOf(rules);
    }

    /** The refused program's name. */
    public String program() {
        return program;
    }

    /** What the kernel lacks, e.g. {@code kfunc bpf_sock_ops_tcp_set_rcvlowat}. */
    public String feature() {
        return feature;
    }

    /** The kernel's release ({@code uname -r}). */
    public String kernelRelease() {
        return kernelRelease;
    }

    /** The rules this kernel cannot run for lack of the feature. */
    public List<Rule> rules() {
        return rules;
    }

    /** Always {@code kernel}: the rules it names are "not supported by this kernel". */
    @Override
    public java.util.Optional<String> unsupportedBy() {
        return java.util.Optional.of("kernel");
    }
}
