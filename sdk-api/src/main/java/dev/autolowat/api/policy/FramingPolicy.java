package dev.autolowat.api.policy;

import dev.autolowat.api.asm.Disassembler;
import dev.autolowat.api.program.MapSpec;
import dev.autolowat.api.program.MapType;
import dev.autolowat.api.program.Policy;
import dev.autolowat.api.program.SockOpsProgram;
import dev.autolowat.api.program.SockoptProgram;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A length-prefixed RPC framing, and the compiler that turns it into a bytecode AutoLOWAT policy
 * generalising rules A1–A5.
 *
 * <p>A frame starts with a <em>descriptor</em> of {@link #descriptorSize()} bytes (1–16). Some of
 * its bytes are <em>length fields</em> (unsigned, 1–4 bytes wide, little- or big-endian), and
 * <pre>frame length = constant + Σ length fields</pre>
 * computed in 64 bits, so it never wraps. Rule A1 is the special case {@link #REFERENCE_RPC}: an
 * 8-byte descriptor {@code {u32 header_len, u32 payload_len}} (little-endian) and constant 8.
 *
 * <pre>{@code
 * FramingPolicy grpc = FramingPolicy.builder("grpc")
 *         .descriptorSize(5)                          // 1 flag byte + u32 length
 *         .lengthField(1, 4, ByteOrder.BIG_ENDIAN)    // the message length
 *         .constant(5)                                // the prefix itself
 *         .build();
 * session.attach(grpc.compile());                     // sock_ops + cgroup setsockopt + shared map
 * connection.enableAutoLowat(1);                      // A2, per socket
 * }</pre>
 *
 * <p>{@link #compile()} produces a {@link Policy} of two bytecode programs sharing one
 * {@code BPF_MAP_TYPE_SK_STORAGE} map ({@link #stateMap()}):
 * <ul>
 *   <li><b>{@link #sockOpsProgram()}</b> (named {@link #name()}) — on op {@code RCVQ_CB} (21) with a
 *       segment (H1) it parses the descriptors (A3, a descriptor may span segments; the walk is
 *       bounded at {@value #MAX_WALK}+1 passes per segment, a pass that only finds the frame does
 *       not end in the segment included), then sets the target lowat (A4)
 *       with the K1 kfunc when it differs from {@code sk_rcvlowat}; without a segment (H2) it only
 *       sets the target. The A4 target for an incomplete descriptor is {@link #descriptorSize()}.
 *       It disables (A5: clear RCVQ, lowat 1, delete the state) on zero bytes to copy while a
 *       descriptor is being copied (a bare FIN inside a descriptor or on a frame boundary), a failed
 *       byte load, the walk bound, a frame length above {@code INT_MAX} and — a rule only framings
 *       whose constant is below the descriptor size can break — a frame length below the
 *       descriptor size (a frame must contain its own descriptor).</li>
 *   <li><b>{@link #enableProgram()}</b> (named {@link #name()}{@code _en}) — the A2 enable path:
 *       consumes {@code setsockopt(fd, 0xdeadbeef, 0x8badf00d, &value, 4)}, creates the state at
 *       {@code copied_seq} and ORs RCVQ into the flag word (F2). A cgroup setsockopt program cannot
 *       read {@code tcp_sock.copied_seq} on a real kernel (no {@code bpf_skc_to_tcp_sock} there), so
 *       it uses {@code bpf_tcp_sock()->rcv_nxt} when RCVQ was clear (F3 has just found the receive
 *       queue empty: the two are equal) and the {@code copied_seq} the sock_ops program recorded in
 *       the state when RCVQ was already set [SDK decision].</li>
 * </ul>
 * The programs make exactly the decisions of the Java reference policy
 * ({@code dev.autolowat.sim.policy.ReferenceAutoLowat}): see {@code docs/programs.md}, "Writing a
 * policy with FramingPolicy", for the generated code and the state layout. Only one
 * {@code FramingPolicy} should be attached per session (cgroup): every compiled enable program
 * answers the same option.
 *
 * <p>Instances are immutable and thread-safe; compiling happens once, on first use, and always
 * produces the same bytes for the same description.
 */
public final class FramingPolicy {
    /** Largest descriptor, in bytes. */
    public static final int MAX_DESCRIPTOR_SIZE = 16;
    /** Longest policy name: the enable program is named {@code name + "_en"} (15 characters at most). */
    public static final int MAX_NAME_LENGTH = 12;
    /**
     * A3: a pass of the walk disables when the per-segment counter is above this value, so at most
     * {@code MAX_WALK + 1} = 101 passes are made per segment (a pass that only finds that the
     * current frame does not end in the segment counts too, as in the series' program).
     */
    public static final int MAX_WALK = 100;
    /** The kfunc every compiled sock_ops program uses to reach {@code struct bpf_sock_ops_kern}. */
    public static final String KFUNC_CAST_TO_KERN_CTX = "bpf_cast_to_kern_ctx";
    /** Rule K1's setter, added by the AutoLOWAT series. */
    public static final String KFUNC_SET_RCVLOWAT = "bpf_sock_ops_tcp_set_rcvlowat";
    /** The license of the compiled programs (the K1 kfunc needs a GPL-compatible one). */
    public static final String LICENSE = "GPL";

    /**
     * Rule A1, the series' RPC descriptor: {@code {u32 header_len, u32 payload_len}} little-endian,
     * frame length = 8 + header_len + payload_len. Named {@code autolowat}, like the Java form, so
     * its programs are {@code autolowat} and {@code autolowat_en}: this is the reference policy as
     * bytecode.
     */
    public static final FramingPolicy REFERENCE_RPC = builder("autolowat")
            .descriptorSize(8)
            .lengthField(0, 4, ByteOrder.LITTLE_ENDIAN)
            .lengthField(4, 4, ByteOrder.LITTLE_ENDIAN)
            .constant(8)
            .build();

    /**
     * gRPC over HTTP/2 message framing ({@code Length-Prefixed-Message}): a compressed-flag byte,
     * then the message length as u32 big-endian; frame length = 5 + length.
     */
    public static final FramingPolicy GRPC = builder("grpc")
            .descriptorSize(5)
            .lengthField(1, 4, ByteOrder.BIG_ENDIAN)
            .constant(5)
            .build();

    /**
     * HTTP/2 frames (RFC 9113 §4.1): a 9-byte header starting with the payload length as u24
     * big-endian; frame length = 9 + length.
     */
    public static final FramingPolicy HTTP2 = builder("http2")
            .descriptorSize(9)
            .lengthField(0, 3, ByteOrder.BIG_ENDIAN)
            .constant(9)
            .build();

    /**
     * A 4-byte big-endian length prefix that does not count itself (Thrift framed transport,
     * Kafka): frame length = 4 + length.
     */
    public static final FramingPolicy LENGTH_PREFIX_U32_BE = builder("len_u32_be")
            .descriptorSize(4)
            .lengthField(0, 4, ByteOrder.BIG_ENDIAN)
            .constant(4)
            .build();

    /**
     * One length field of the descriptor: an unsigned integer of {@code width} bytes at
     * {@code offset}, in {@code order}.
     *
     * @param offset first byte of the field in the descriptor (0-based)
     * @param width  1, 2, 3 or 4 bytes
     * @param order  {@link ByteOrder#LITTLE_ENDIAN} or {@link ByteOrder#BIG_ENDIAN} (irrelevant
     *               for one byte)
     */
    public record LengthField(int offset, int width, ByteOrder order) {
        public LengthField {
            Objects.requireNonNull(order, "byte order");
            if (offset < 0 || offset >= MAX_DESCRIPTOR_SIZE) {
                throw new IllegalArgumentException("length field offset must be 0.." + (MAX_DESCRIPTOR_SIZE - 1)
                        + " (inside a descriptor of at most " + MAX_DESCRIPTOR_SIZE + " bytes), got " + offset);
            }
            if (width < 1 || width > 4) {
                throw new IllegalArgumentException("length field width must be 1, 2, 3 or 4 bytes (an unsigned"
                        + " integer of at most 32 bits), got " + width);
            }
        }

        /** The byte after the field. */
        public int end() {
            return offset + width;
        }

        /** The field's largest value, {@code 2^(8·width) - 1}. */
        public long maxValue() {
            return (1L << (8 * width)) - 1;
        }

        /** Reads the field from {@code descriptor} (at least {@link #end()} bytes). */
        long read(byte[] descriptor) {
            long value = 0;
            for (int k = 0; k < width; k++) {
                value |= (descriptor[offset + k] & 0xFFL) << shift(k);
            }
            return value;
        }

        /** The left shift of the field's byte {@code k} (0 = the byte at {@link #offset()}). */
        int shift(int k) {
            return 8 * (order == ByteOrder.LITTLE_ENDIAN ? k : width - 1 - k);
        }

        @Override
        public String toString() {
            return (order == ByteOrder.LITTLE_ENDIAN ? "u" + 8 * width + "le" : "u" + 8 * width + "be") + "@" + offset;
        }
    }

    private final String name;
    private final int descriptorSize;
    private final List<LengthField> lengthFields;
    private final int constant;
    private volatile FramingCompiler.Compiled compiled;

    private FramingPolicy(Builder b) {
        this.name = b.name;
        this.descriptorSize = b.descriptorSize;
        this.lengthFields = List.copyOf(b.fields);
        this.constant = b.constant;
    }

    /**
     * Starts describing a framing.
     *
     * @param name the policy's name, 1–{@value #MAX_NAME_LENGTH} characters of {@code [A-Za-z0-9_.]}:
     *             the sock_ops program gets this name, the enable program {@code name_en}, the map
     *             {@code name_st}
     * @throws IllegalArgumentException for a bad name
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The policy's name; also the sock_ops program's. */
    public String name() {
        return name;
    }

    /** Bytes of the descriptor at the start of every frame (1–16). */
    public int descriptorSize() {
        return descriptorSize;
    }

    /** The length fields, sorted by offset; at least one, never overlapping. */
    public List<LengthField> lengthFields() {
        return lengthFields;
    }

    /** What the frame length adds to the length fields (0..{@code Integer.MAX_VALUE}). */
    public int constant() {
        return constant;
    }

    /**
     * The frame length the compiled program computes from a descriptor: {@code constant + Σ fields}
     * in 64 bits (pure Java, the reference for tests). The compiled program disables (A5) when this
     * is above {@code Integer.MAX_VALUE} or below {@link #descriptorSize()} (see
     * {@link #acceptsFrameLength(long)}).
     *
     * @param descriptor at least {@link #descriptorSize()} bytes; only the first
     *                   {@code descriptorSize} are read (so a whole frame may be passed)
     * @throws IllegalArgumentException when it is shorter than the descriptor
     */
    public long frameLength(byte[] descriptor) {
        Objects.requireNonNull(descriptor, "descriptor");
        if (descriptor.length < descriptorSize) {
            throw new IllegalArgumentException(name + ": a descriptor has " + descriptorSize + " bytes, got "
                    + descriptor.length);
        }
        long length = constant;
        for (LengthField f : lengthFields) {
            length += f.read(descriptor);
        }
        return length;
    }

    /**
     * Whether the compiled program accepts a frame of this length rather than disabling (A5):
     * {@code descriptorSize <= frameLength <= Integer.MAX_VALUE}.
     */
    public boolean acceptsFrameLength(long frameLength) {
        return frameLength >= descriptorSize && frameLength <= Integer.MAX_VALUE;
    }

    /**
     * A descriptor with the given length field values (in {@link #lengthFields()} order) and every
     * other byte zero; with {@link #frameLength(byte[])} it builds test frames.
     *
     * @throws IllegalArgumentException when the number of values differs from the number of fields
     *         or a value does not fit its field
     */
    public byte[] descriptor(long... fieldValues) {
        Objects.requireNonNull(fieldValues, "fieldValues");
        if (fieldValues.length != lengthFields.size()) {
            throw new IllegalArgumentException(name + " has " + lengthFields.size() + " length field(s), got "
                    + fieldValues.length + " value(s)");
        }
        byte[] out = new byte[descriptorSize];
        for (int i = 0; i < fieldValues.length; i++) {
            LengthField f = lengthFields.get(i);
            long v = fieldValues[i];
            if (v < 0 || v > f.maxValue()) {
                throw new IllegalArgumentException(name + ": value " + v + " does not fit length field " + f
                        + " (0.." + f.maxValue() + ")");
            }
            for (int k = 0; k < f.width(); k++) {
                out[f.offset() + k] = (byte) (v >>> f.shift(k));
            }
        }
        return out;
    }

    /**
     * The whole policy: {@link #sockOpsProgram()} plus {@link #enableProgram()}, named
     * {@link #name()}. Attach it to a session; enable it per socket with
     * {@code setsockopt(fd, 0xdeadbeef, 0x8badf00d, &one, 4)} (A2).
     */
    public Policy compile() {
        return Policy.of(name, sockOpsProgram(), enableProgram());
    }

    /** The sock_ops program (A3–A5 on op {@code RCVQ_CB}), named {@link #name()}. */
    public SockOpsProgram.Bytecode sockOpsProgram() {
        return compiled().sockOps();
    }

    /** The cgroup setsockopt program of the enable path (A2), named {@link #name()}{@code _en}. */
    public SockoptProgram.Bytecode enableProgram() {
        return compiled().enable();
    }

    /**
     * The per-socket state both programs share: {@code BPF_MAP_TYPE_SK_STORAGE}, key 4, value
     * {@code 16 + roundup(2 · descriptorSize, 8)} bytes, max entries 0, named {@link #name()}{@code _st}.
     * Layout: {@code u32 desc_seq} at 0, {@code u32 end_seq} at 4, {@code u32 buf_len} at 8,
     * {@code u32 copied_seq} at 12 (as the sock_ops program last saw it, for a re-enable while RCVQ
     * is set), then the descriptor bytes at 16 (twice the descriptor size is reserved so the
     * verifier can prove the variable-offset byte load in bounds; the upper half is never read).
     */
    public MapSpec stateMap() {
        return new MapSpec(name + "_st", MapType.SK_STORAGE, 4, FramingCompiler.valueSize(descriptorSize), 0);
    }

    /**
     * Both programs as {@code bpftool prog dump xlated} would show them (relocations unresolved:
     * {@code map[id:0]} is {@link #stateMap()}), for docs and reviews.
     */
    public String disassembly() {
        SockOpsProgram.Bytecode s = sockOpsProgram();
        SockoptProgram.Bytecode e = enableProgram();
        MapSpec m = stateMap();
        return "; " + this + "\n"
                + "; map[id:0] = " + m.name() + " (SK_STORAGE, key " + m.keySize() + ", value " + m.valueSize() + ")\n"
                + "; sock_ops program '" + s.name() + "' (" + size(s.code()) + ")\n"
                + Disassembler.disassemble(s.code())
                + "; cgroup/setsockopt program '" + e.name() + "' (" + size(e.code()) + ")\n"
                + Disassembler.disassemble(e.code());
    }

    private static String size(dev.autolowat.api.program.BpfBytecode code) {
        return code.instructions().size() + " instructions, " + code.slots() + " slots";
    }

    private FramingCompiler.Compiled compiled() {
        FramingCompiler.Compiled c = compiled;
        if (c == null) {
            c = FramingCompiler.compile(this);
            compiled = c;
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FramingPolicy p && name.equals(p.name) && descriptorSize == p.descriptorSize
                && constant == p.constant && lengthFields.equals(p.lengthFields);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, descriptorSize, lengthFields, constant);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("FramingPolicy[").append(name).append(": descriptor ")
                .append(descriptorSize).append(" bytes, frame length = ").append(constant);
        for (LengthField f : lengthFields) {
            sb.append(" + ").append(f);
        }
        return sb.append(']').toString();
    }

    /** Describes a framing; {@link #build()} validates it. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private int descriptorSize = -1;
        private final List<LengthField> fields = new ArrayList<>();
        private int constant = -1;
        private boolean constantSet;

        private Builder(String name) {
            Objects.requireNonNull(name, "policy name");
            if (!name.matches("[A-Za-z0-9_.]{1," + MAX_NAME_LENGTH + "}")) {
                throw new IllegalArgumentException("policy name '" + name + "' must be 1-" + MAX_NAME_LENGTH
                        + " characters of [A-Za-z0-9_.]: its programs are named '<name>' and '<name>_en'"
                        + " (15 characters at most, the kernel's BPF_OBJ_NAME_LEN)");
            }
            this.name = name;
        }

        /**
         * Bytes of the descriptor that starts every frame.
         *
         * @throws IllegalArgumentException unless 1..{@value FramingPolicy#MAX_DESCRIPTOR_SIZE}
         */
        public Builder descriptorSize(int bytes) {
            if (bytes < 1 || bytes > MAX_DESCRIPTOR_SIZE) {
                throw new IllegalArgumentException("descriptor size must be 1.." + MAX_DESCRIPTOR_SIZE
                        + " bytes, got " + bytes);
            }
            this.descriptorSize = bytes;
            return this;
        }

        /**
         * Adds a length field: an unsigned integer of {@code width} bytes at {@code offset} of the
         * descriptor, in {@code order}.
         *
         * @throws IllegalArgumentException for an offset outside 0..15 or a width outside 1..4
         *         (fields outside the descriptor or overlapping are reported by {@link #build()})
         */
        public Builder lengthField(int offset, int width, ByteOrder order) {
            fields.add(new LengthField(offset, width, order));
            return this;
        }

        /**
         * What the frame length adds to the length fields (usually the descriptor size: the
         * fields count the bytes after the descriptor).
         *
         * @throws IllegalArgumentException unless 0..{@code Integer.MAX_VALUE}
         */
        public Builder constant(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("constant must not be negative, got " + value);
            }
            this.constant = value;
            this.constantSet = true;
            return this;
        }

        /**
         * Validates the description.
         *
         * @throws IllegalArgumentException when the descriptor size or the constant was not given,
         *         there is no length field, a field does not fit inside the descriptor, or two
         *         fields overlap
         */
        public FramingPolicy build() {
            if (descriptorSize < 0) {
                throw new IllegalArgumentException(name + ": the descriptor size was not given (descriptorSize(n))");
            }
            if (!constantSet) {
                throw new IllegalArgumentException(name + ": the constant was not given (constant(n); usually"
                        + " the descriptor size, " + descriptorSize + ", when the fields count the bytes after it)");
            }
            if (fields.isEmpty()) {
                throw new IllegalArgumentException(name + ": a length-prefixed framing needs at least one length"
                        + " field (lengthField(offset, width, order))");
            }
            List<LengthField> sorted = new ArrayList<>(fields);
            sorted.sort(Comparator.comparingInt(LengthField::offset));
            for (int i = 0; i < sorted.size(); i++) {
                LengthField f = sorted.get(i);
                if (f.end() > descriptorSize) {
                    throw new IllegalArgumentException(name + ": length field " + f + " (bytes " + f.offset() + ".."
                            + (f.end() - 1) + ") does not fit inside the " + descriptorSize + "-byte descriptor");
                }
                if (i > 0 && sorted.get(i - 1).end() > f.offset()) {
                    throw new IllegalArgumentException(name + ": length fields " + sorted.get(i - 1) + " and " + f
                            + " overlap");
                }
            }
            Builder copy = new Builder(name);
            copy.descriptorSize = descriptorSize;
            copy.fields.addAll(sorted);
            copy.constant = constant;
            copy.constantSet = true;
            return new FramingPolicy(copy);
        }
    }
}
