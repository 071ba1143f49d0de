package dev.autolowat.conformance.scenario;

import dev.autolowat.api.AutoLowatException;
import dev.autolowat.api.btf.Btf;
import dev.autolowat.api.object.BpfObject;
import dev.autolowat.api.object.ObjectMap;
import dev.autolowat.api.object.ObjectPolicies;
import dev.autolowat.api.policy.FramingPolicy;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.spi.Backend;
import dev.autolowat.sim.vm.SimKernelBtf;

import java.util.Objects;
import java.util.Optional;

/**
 * The policy that scenarios naming {@code reference-bytecode} (as their program or as their enable
 * path) attach: the SDK's reference policy ({@link #REFERENCE}, {@code FramingPolicy.REFERENCE_RPC}) or
 * a user's clang-compiled object ({@link #of(BpfObject)}, {@code autolowat report --policy FILE.o}).
 * An object is prepared for each side of a pair as {@link ObjectPolicies} prepares it for a target BTF:
 * for the simulator against the simulated kernel's BTF ({@link SimKernelBtf}), for a kernel against
 * its vmlinux BTF ({@link Backend#targetBtf()}, read once, on first use).
 */
public final class PolicyUnderTest {
    /** The reference policy as bytecode: what the default report runs. */
    public static final PolicyUnderTest REFERENCE = new PolicyUnderTest();

    private final BpfObject object;
    private final Policy forSimulator;
    private Policy forKernel;
    /** The target BTF {@link #forKernel} was prepared for. */
    private Btf forKernelBtf;

    private PolicyUnderTest() {
        this.object = null;
        this.forSimulator = FramingPolicy.REFERENCE_RPC.compile();
        this.forKernel = forSimulator;
    }

    private PolicyUnderTest(BpfObject object) {
        this.object = object;
        this.forSimulator = ObjectPolicies.policy(object, SimKernelBtf.btf());
    }

    /**
     * A clang-compiled policy: its {@code SEC("sockops")} program, with its {@code SEC("cgroup/setsockopt")}
     * program as enable path when it has one.
     *
     * @throws dev.autolowat.api.object.BpfObjectFormatException when the object is not a policy the SDK
     *         can run (no sockops program, several, a map type the backends do not model...): checked here,
     *         against the simulator, before anything runs
     */
    public static PolicyUnderTest of(BpfObject object) {
        return new PolicyUnderTest(Objects.requireNonNull(object, "object"));
    }

    /** Whether this is the SDK's reference policy. */
    public boolean isReference() {
        return object == null;
    }

    /** {@code reference policy} or the object's file name ({@code autolowat_policy.o}). */
    public String label() {
        return object == null ? "reference policy" : fileName(object.origin());
    }

    /**
     * The policy as {@code backend} loads it: for an object, CO-RE relocated against the simulated
     * kernel's BTF for a simulator (also one with faults injected), otherwise against the running
     * kernel's vmlinux BTF.
     *
     * @throws NotRunnableException when the kernel's BTF cannot be read or the object cannot be
     *                              prepared for it ("not supported by this kernel: ...")
     */
    public Policy forBackend(Backend backend) {
        if (object == null) {
            return forSimulator;
        }
        Btf target;
        try {
            target = backend.targetBtf();
        } catch (AutoLowatException e) {
            throw new NotRunnableException("not supported by this kernel: " + label() + ": " + e.getMessage(), e);
        }
        if (target == SimKernelBtf.btf()) {
            return forSimulator;
        }
        synchronized (this) {
            if (forKernel == null || forKernelBtf != target) {
                try {
                    forKernel = ObjectPolicies.policy(object, target);
                    forKernelBtf = target;
                } catch (AutoLowatException e) {
                    throw new NotRunnableException("not supported by this kernel: " + label() + ": " + e.getMessage(), e);
                }
            }
            return forKernel;
        }
    }

    /**
     * The map whose entry for the accepted socket says whether the policy is enabled on it (the trace's
     * {@code state}): the reference policy's state map, or the object's first {@code SK_STORAGE} map;
     * empty when the object has none.
     */
    public Optional<String> stateMap() {
        if (object == null) {
            return Optional.of(FramingPolicy.REFERENCE_RPC.stateMap().name());
        }
        return object.maps().stream().filter(m -> m.sdkType().equals(Optional.of(MapType.SK_STORAGE)))
                .map(ObjectMap::name).findFirst();
    }

    private static String fileName(String origin) {
        int slash = origin.lastIndexOf('/');
        return slash >= 0 ? origin.substring(slash + 1) : origin;
    }

    @Override
    public String toString() {
        return label();
    }
}
