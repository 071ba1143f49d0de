package dev.autolowat.sim.vm;

/**
 * A struct whose fields are read live from the model: the program contexts and the kernel objects
 * ({@code tcp_sock}, {@code bpf_sock}...). Accesses are checked against the {@link Layout}; values
 * come from {@link #value}, {@link #pointer} and {@link #bytes}, which subclasses implement.
 *
 * <p>Contexts are only accessible through an unmodified pointer (the kernel refuses
 * "dereference of modified ctx ptr"); kernel objects take any offset inside a field.
 */
abstract class ViewRegion extends Region {
    final Layout layout;
    private final boolean isContext;

    ViewRegion(long base, Layout layout, boolean isContext) {
        super(base, VIEW);
        this.layout = layout;
        this.isContext = isContext;
    }

    @Override
    String describe() {
        return (isContext ? "context struct " : "kernel object struct ") + layout.name;
    }

    @Override
    boolean arithmeticAllowed() {
        // ctx and BTF pointers may move (the kernel then refuses to dereference a moved ctx pointer);
        // uapi socket views (bpf_sock, bpf_tcp_sock) may not, as PTR_TO_SOCKET/TCP_SOCK.
        return isContext || layout.rule == Layout.Rule.BTF;
    }

    /** The full value of a scalar member (little-endian, up to 8 bytes). */
    abstract long value(Layout.Member m);

    /** The region a pointer member points into, or {@code null} for NULL. */
    Region pointer(Layout.Member m) {
        return null;
    }

    /**
     * The region of a pointer member when it is the same on every invocation of this VM (the
     * socket of {@code ctx->sk}, the optval buffer), else {@code null}: translated code then loads
     * the pointer as a constant (same value and region as {@link #pointer} gives).
     */
    Region constantPointer(Layout.Member m) {
        return null;
    }

    /**
     * The region a pointer member most likely points to (for {@link PointerGuess}, which translated
     * code checks at run time before it relies on it), or {@code null}: by default the
     * {@link #constantPointer}.
     */
    Region pointerGuess(Layout.Member m) {
        return constantPointer(m);
    }

    /** Offset inside {@link #pointer}'s region (e.g. {@code optval_end} points past the buffer). */
    long pointerOffset(Layout.Member m) {
        return 0;
    }

    /** The content of a {@link Layout.Kind#BYTES} member. */
    byte[] bytes(Layout.Member m) {
        throw new IllegalStateException(layout.name + ": no byte content for " + m.name);
    }

    /** Writes a writable member. */
    void write(Layout.Member m, long value) {
        throw new IllegalStateException(layout.name + ": " + m.name + " is not writable");
    }

    final void checkUnmoved(long ptrOff) {
        if (isContext && ptrOff != 0) {
            throw new Fault("dereference of modified ctx ptr (moved by " + ptrOff + " bytes): access the "
                    + layout.name + " fields through the unmodified context pointer");
        }
    }

    /**
     * A load of member {@code m} at {@code off}, once the access was checked: {@code Vm.loadView} checks it
     * (with a per-slot cache of the layout walk) and calls this for every region of kind {@link #VIEW},
     * so {@link Region#load} is never used for one.
     */
    final void loadMember(Vm vm, int dst, Layout.Member m, long off, int size, boolean signExtend) {
        Layout.Kind kind = m.kind;
        if (kind == Layout.Kind.SCALAR) {
            vm.regs[dst] = scalarMember(m, off, size, signExtend);
            vm.kinds[dst] = Vm.SCALAR;
        } else if (kind == Layout.Kind.POINTER) {
            Region target = pointer(m);
            if (target == null) {
                vm.regs[dst] = 0;
                vm.kinds[dst] = Vm.SCALAR;
            } else {
                vm.regs[dst] = target.base + pointerOffset(m);
                vm.setTag(dst, target);
            }
        } else {
            byte[] content = bytes(m);
            vm.regs[dst] = Region.extend(MemRegion.read(content, (int) (off - m.off), size), size, signExtend);
            vm.kinds[dst] = Vm.SCALAR;
        }
    }

    /**
     * The value of a load of {@code size} bytes at {@code off} from a scalar member {@code m}
     * (kind {@link Layout.Kind#SCALAR}): what {@link #loadMember} puts in the register. Translated
     * code reads context fields through it directly (the member is resolved at translation).
     */
    final long scalarMember(Layout.Member m, long off, int size, boolean signExtend) {
        long full = valueOf(m);
        long v = full >>> ((off - m.off) * 8);
        return Region.extend(v, size, signExtend);
    }

    /** {@link #value}, dispatched on the (final) view classes rather than through a megamorphic call. */
    private long valueOf(Layout.Member m) {
        if (this instanceof Views.SockOpsContext v) {
            return v.value(m);
        }
        if (this instanceof Views.TcpSock v) {
            return v.value(m);
        }
        if (this instanceof Views.SkBuff v) {
            return v.value(m);
        }
        if (this instanceof Views.SockOpsKern v) {
            return v.value(m);
        }
        return value(m);
    }

    @Override
    void store(Vm vm, long ptrOff, int insnOff, int size, long value, Region valueTag) {
        checkUnmoved(ptrOff);
        long off = ptrOff + insnOff;
        Layout.Member m = layout.check(off, size, true);
        if (valueTag != null) {
            throw new Fault("leaks addr into ctx: cannot store a pointer (" + valueTag.describe() + ") into "
                    + layout.name + "." + m.name);
        }
        write(m, value);
    }
}
