package dev.autolowat.api.object;

import dev.autolowat.api.AutoLowatException;
import dev.autolowat.api.asm.Encoding;
import dev.autolowat.api.asm.Opcode;
import dev.autolowat.api.btf.Btf;
import dev.autolowat.api.btf.BtfKind;
import dev.autolowat.api.program.BpfBytecode;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * CO-RE ("compile once, run everywhere") relocation of an object's programs against a target BTF —
 * the running kernel's vmlinux BTF, or the simulator's description of its kernel objects — by
 * libbpf's rules ({@code tools/lib/bpf/relo_core.c}, re-implemented from its documented behaviour):
 *
 * <ul>
 *   <li><b>candidates</b>: every target type of the same kind whose name equals the local type's
 *       essential name (the name up to {@code ___}: {@code tcp_sock___v2} matches {@code tcp_sock});</li>
 *   <li><b>field access</b>: each named member of the local access path is looked up by essential
 *       name in the candidate, descending into anonymous structs and unions; array indices are
 *       bounds-checked (flexible arrays excepted); the field types must be compatible (composites
 *       with composites, ints with ints, pointers with pointers...);</li>
 *   <li><b>result</b>: byte offset, byte size, signedness, shifts, existence, type ids, type size,
 *       enumerator existence and value — computed from the target's layout;</li>
 *   <li><b>unsatisfiable</b> (no candidate matches): existence relocations become 0; every other kind
 *       <i>poisons</i> its instruction — it becomes {@code call 0xbad2310}, which the kernel's
 *       verifier rejects only if it can reach it, so a guarded read loads and faults only when
 *       executed (the simulator does the same). Two candidates that both match with different
 *       results make the relocation ambiguous: {@link CoreRelocationException}, as libbpf fails.</li>
 * </ul>
 *
 * Instructions are patched as libbpf patches them: an ALU immediate, a load/store offset (and the
 * load size when the target field's size differs), or an {@code LD_IMM64} constant; the
 * instruction's original value must be the one the local BTF gives, else the object is inconsistent.
 */
public final class CoreRelocator {
    /** The imm libbpf writes into a poisoned instruction ({@code call 0xbad2310}). */
    public static final int POISON_IMM = 0xbad2310;

    private final Btf local;
    private final Btf target;

    /**
     * @param local  the object's own {@code .BTF}
     * @param target the BTF of the kernel (or model) the program will run against
     */
    public CoreRelocator(Btf local, Btf target) {
        this.local = Objects.requireNonNull(local, "local");
        this.target = Objects.requireNonNull(target, "target");
    }

    /**
     * What one relocation resolves to.
     *
     * @param relocation the site
     * @param satisfied  whether a target type matched (false: existence kinds give 0, others poison)
     * @param localValue the value the instruction carries as compiled
     * @param value      the value for the target (meaningless when poisoned)
     * @param fieldSize  the target field's size in bytes for field kinds (0 otherwise)
     * @param reason     in words: what matched, or why nothing did
     */
    public record Resolution(CoreRelocation relocation, boolean satisfied, long localValue, long value, int fieldSize,
                             String reason) {
        /** Whether the instruction is poisoned (unsatisfied and not an existence question). */
        public boolean poisoned() {
            return !satisfied && !isExistence(relocation.kind());
        }
    }

    /** A program with its CO-RE sites patched, and how each was resolved. */
    public record Relocated(BpfBytecode bytecode, List<Resolution> resolutions) {
        public Relocated {
            resolutions = List.copyOf(resolutions);
        }

        /** The poisoned sites (each loads, and faults if executed). */
        public List<Resolution> poisoned() {
            return resolutions.stream().filter(Resolution::poisoned).toList();
        }
    }

    /** Thrown when the object and the target cannot be reconciled (ambiguous candidates, bad patch site). */
    public static final class CoreRelocationException extends AutoLowatException {
        public CoreRelocationException(String message) {
            super(message);
        }
    }

    /** Patches every CO-RE site of {@code program}. */
    public Relocated relocate(ObjectProgram program) {
        byte[] code = program.bytecode().toByteArray();
        List<Resolution> out = new ArrayList<>();
        for (CoreRelocation r : program.coreRelocations()) {
            Resolution res = resolve(r);
            patch(program.name(), code, r.slot(), res);
            out.add(res);
        }
        return new Relocated(BpfBytecode.of(code), out);
    }

    /** Resolves one relocation against the target. */
    public Resolution resolve(CoreRelocation r) {
        return switch (r.kind()) {
            case FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS, FIELD_SIGNED, FIELD_LSHIFT_U64, FIELD_RSHIFT_U64 -> field(r);
            case TYPE_ID_LOCAL -> new Resolution(r, true, r.localTypeId(), r.localTypeId(), 0, "the local type id");
            case TYPE_ID_TARGET, TYPE_EXISTS, TYPE_SIZE, TYPE_MATCHES -> type(r);
            case ENUMVAL_EXISTS, ENUMVAL_VALUE -> enumValue(r);
        };
    }

    // ---- fields ----

    /** A resolved access path: where it ends and what is there. */
    private record Access(long bitOffset, int fieldType, int bitfieldSize, Btf btf) {
    }

    private Resolution field(CoreRelocation r) {
        int[] idx = indices(r);
        int localRoot = local.resolve(r.localTypeId());
        Access localAccess = walkLocal(localRoot, idx, r);
        long localValue = fieldValue(r.kind(), localAccess, true);
        String essential = essentialName(local.name(localRoot));
        Access found = null;
        int foundId = 0;
        String why = "no type named " + essential + " in the target";
        for (int cand : candidates(localRoot)) {
            Access a = matchTarget(localRoot, cand, idx);
            if (a == null) {
                why = describeMiss(r);
                continue;
            }
            if (found != null && fieldValue(r.kind(), found, false) != fieldValue(r.kind(), a, false)) {
                throw new CoreRelocationException("CO-RE relocation " + r.description() + " is ambiguous: target types ["
                        + foundId + "] and [" + cand + "] named " + essential + " give different results");
            }
            found = a;
            foundId = cand;
        }
        if (found == null) {
            return new Resolution(r, false, localValue, 0, 0, why);
        }
        long value = fieldValue(r.kind(), found, false);
        int size = found.bitfieldSize() > 0 ? 0 : (int) target.sizeOf(found.fieldType()).orElse(0);
        return new Resolution(r, true, localValue, value, size, r.description() + " in target type [" + foundId + "]");
    }

    private String describeMiss(CoreRelocation r) {
        return "the target's " + r.description().replaceFirst(" \\(.*$", "") + " does not exist or is incompatible";
    }

    private Access walkLocal(int root, int[] idx, CoreRelocation r) {
        long bits = (long) idx[0] * bitsOf(local, root);
        int t = root;
        int bitfield = 0;
        for (int i = 1; i < idx.length; i++) {
            BtfKind k = local.kind(t);
            if (k == BtfKind.STRUCT || k == BtfKind.UNION) {
                List<Btf.Member> ms = local.members(t);
                if (idx[i] >= ms.size()) {
                    throw new CoreRelocationException("CO-RE access " + r.accessString() + " is outside the local type");
                }
                Btf.Member m = ms.get(idx[i]);
                bits += m.bitOffset();
                bitfield = m.bitfieldSize();
                t = local.resolve(m.type());
            } else if (k == BtfKind.ARRAY) {
                Btf.ArrayInfo a = local.array(t);
                t = local.resolve(a.elementType());
                bits += (long) idx[i] * bitsOf(local, t);
                bitfield = 0;
            } else {
                throw new CoreRelocationException("CO-RE access " + r.accessString() + " goes into a " + k);
            }
        }
        return new Access(bits, t, bitfield, local);
    }

    /** The local access path replayed on a target candidate, by names; null when it does not match. */
    private Access matchTarget(int localRoot, int targetRoot, int[] idx) {
        long bits = (long) idx[0] * bitsOf(target, targetRoot);
        int lt = localRoot;
        int tt = targetRoot;
        int bitfield = 0;
        for (int i = 1; i < idx.length; i++) {
            BtfKind lk = local.kind(lt);
            if (lk == BtfKind.STRUCT || lk == BtfKind.UNION) {
                Btf.Member lm = local.members(lt).get(idx[i]);
                if (lm.name().isEmpty()) {
                    // an anonymous local member: libbpf matches only named steps; its members are found
                    // by name below, through the target's anonymous members
                    lt = local.resolve(lm.type());
                    continue;
                }
                BtfKind tk = target.kind(tt);
                if (tk != BtfKind.STRUCT && tk != BtfKind.UNION) {
                    return null;
                }
                long[] offset = new long[1];
                Btf.Member tm = findMember(tt, essentialName(lm.name()), offset, 0);
                if (tm == null) {
                    return null;
                }
                int ltNext = local.resolve(lm.type());
                int ttNext = target.resolve(tm.type());
                if (!compatible(ltNext, ttNext, 0)) {
                    return null;
                }
                bits += offset[0];
                bitfield = tm.bitfieldSize();
                lt = ltNext;
                tt = ttNext;
            } else if (lk == BtfKind.ARRAY) {
                if (target.kind(tt) != BtfKind.ARRAY) {
                    return null;
                }
                Btf.ArrayInfo ta = target.array(tt);
                if (ta.elements() > 0 && idx[i] >= ta.elements()) {
                    return null;
                }
                lt = local.resolve(local.array(lt).elementType());
                tt = target.resolve(ta.elementType());
                if (!compatible(lt, tt, 0)) {
                    return null;
                }
                bits += (long) idx[i] * bitsOf(target, tt);
                bitfield = 0;
            } else {
                return null;
            }
        }
        return new Access(bits, tt, bitfield, target);
    }

    /** A member by essential name, searched through anonymous members; {@code offset[0]} gets its bit offset. */
    private Btf.Member findMember(int composite, String name, long[] offset, int depth) {
        if (depth > 32) {
            return null;
        }
        for (Btf.Member m : target.members(composite)) {
            if (!m.name().isEmpty() && essentialName(m.name()).equals(name)) {
                offset[0] = m.bitOffset();
                return m;
            }
        }
        for (Btf.Member m : target.members(composite)) {
            int t = target.resolve(m.type());
            BtfKind k = target.kind(t);
            if (m.name().isEmpty() && (k == BtfKind.STRUCT || k == BtfKind.UNION)) {
                long[] inner = new long[1];
                Btf.Member found = findMember(t, name, inner, depth + 1);
                if (found != null) {
                    offset[0] = m.bitOffset() + inner[0];
                    return found;
                }
            }
        }
        return null;
    }

    /** libbpf's field compatibility: composites with composites, else the same kind (enums as one), arrays by element. */
    private boolean compatible(int l, int t, int depth) {
        BtfKind lk = local.kind(l);
        BtfKind tk = target.kind(t);
        if (isComposite(lk) && isComposite(tk)) {
            return true;
        }
        if (isEnum(lk) && isEnum(tk)) {
            return true;
        }
        if (lk != tk) {
            return false;
        }
        return switch (lk) {
            case PTR, FLOAT, VOID -> true;
            case INT -> local.intInfo(l).bitOffset() == 0 && target.intInfo(t).bitOffset() == 0;
            case FWD -> essentialName(local.name(l)).equals(essentialName(target.name(t)));
            case ARRAY -> depth < 32 && compatible(local.resolve(local.array(l).elementType()),
                    target.resolve(target.array(t).elementType()), depth + 1);
            default -> false;
        };
    }

    private long fieldValue(CoreRelocation.Kind kind, Access a, boolean isLocal) {
        Btf btf = a.btf();
        long bitSize;
        long byteSize;
        long byteOffset;
        if (a.bitfieldSize() == 0) {
            byteSize = btf.sizeOf(a.fieldType()).orElse(0);
            bitSize = byteSize * 8;
            byteOffset = a.bitOffset() / 8;
        } else {
            // a bitfield: the smallest power-of-two load that holds it, aligned as libbpf aligns it
            bitSize = a.bitfieldSize();
            byteSize = btf.sizeOf(a.fieldType()).orElse(4);
            byteOffset = a.bitOffset() / 8 / byteSize * byteSize;
            while (a.bitOffset() + bitSize - byteOffset * 8 > byteSize * 8) {
                if (byteSize >= 8) {
                    throw new CoreRelocationException("bitfield at bit " + a.bitOffset() + " cannot be loaded in 8 bytes");
                }
                byteSize *= 2;
                byteOffset = a.bitOffset() / 8 / byteSize * byteSize;
            }
        }
        return switch (kind) {
            case FIELD_BYTE_OFFSET -> byteOffset;
            case FIELD_BYTE_SIZE -> byteSize;
            case FIELD_EXISTS -> 1;
            case FIELD_SIGNED -> signed(btf, a.fieldType()) ? 1 : 0;
            case FIELD_LSHIFT_U64 -> 64 - (a.bitOffset() + bitSize - byteOffset * 8);
            case FIELD_RSHIFT_U64 -> 64 - bitSize;
            default -> throw new IllegalStateException(kind.toString());
        };
    }

    private static boolean signed(Btf btf, int type) {
        BtfKind k = btf.kind(type);
        if (k == BtfKind.INT) {
            return btf.intInfo(type).signed();
        }
        return isEnum(k) && btf.kindFlag(type);
    }

    // ---- types and enums ----

    private Resolution type(CoreRelocation r) {
        int localRoot = local.resolve(r.localTypeId());
        int match = 0;
        for (int cand : candidates(localRoot)) {
            if (r.kind() != CoreRelocation.Kind.TYPE_MATCHES || typesMatch(localRoot, cand)) {
                match = cand;
                break;
            }
        }
        long localValue = switch (r.kind()) {
            case TYPE_ID_TARGET -> r.localTypeId();
            case TYPE_SIZE -> local.sizeOf(localRoot).orElse(0);
            default -> 1;
        };
        if (match == 0) {
            return new Resolution(r, false, localValue, 0, 0, "no type " + CoreAccess.typeName(local, localRoot)
                    + " (essential name " + essentialName(local.name(localRoot)) + ") in the target");
        }
        long value = switch (r.kind()) {
            case TYPE_ID_TARGET -> match;
            case TYPE_SIZE -> target.sizeOf(match).orElse(0);
            default -> 1;
        };
        return new Resolution(r, true, localValue, value, 0, "target type [" + match + "]");
    }

    /** TYPE_MATCHES, simplified: every named local member exists in the target with a compatible type. */
    private boolean typesMatch(int l, int t) {
        if (!isComposite(local.kind(l))) {
            return true;
        }
        for (Btf.Member m : local.members(l)) {
            if (m.name().isEmpty()) {
                continue;
            }
            long[] off = new long[1];
            Btf.Member tm = findMember(t, essentialName(m.name()), off, 0);
            if (tm == null || !compatible(local.resolve(m.type()), target.resolve(tm.type()), 0)) {
                return false;
            }
        }
        return true;
    }

    private Resolution enumValue(CoreRelocation r) {
        int localRoot = local.resolve(r.localTypeId());
        int[] idx = indices(r);
        Btf.Enumerator le = local.enumerators(localRoot).get(idx[0]);
        long localValue = r.kind() == CoreRelocation.Kind.ENUMVAL_EXISTS ? 1 : le.value();
        String want = essentialName(le.name());
        for (int cand : candidates(localRoot)) {
            for (Btf.Enumerator te : target.enumerators(cand)) {
                if (essentialName(te.name()).equals(want)) {
                    long value = r.kind() == CoreRelocation.Kind.ENUMVAL_EXISTS ? 1 : te.value();
                    return new Resolution(r, true, localValue, value, 0, "enumerator " + te.name() + " of target type ["
                            + cand + "]");
                }
            }
        }
        return new Resolution(r, false, localValue, 0, 0, "no enumerator " + want + " in the target's "
                + CoreAccess.typeName(local, localRoot));
    }

    // ---- helpers ----

    /** Target types with the local type's essential name and a compatible kind. */
    private List<Integer> candidates(int localRoot) {
        BtfKind lk = local.kind(localRoot);
        String name = essentialName(local.name(localRoot));
        List<Integer> out = new ArrayList<>();
        if (name.isEmpty()) {
            return out; // anonymous local types have no candidates (libbpf: the same)
        }
        for (int id : target.typesNamed(name)) {
            BtfKind tk = target.kind(id);
            if (tk == lk || isEnum(lk) && isEnum(tk)) {
                out.add(id);
            }
        }
        return out;
    }

    /** The name up to a {@code ___} flavour suffix ({@code tcp_sock___v2} → {@code tcp_sock}). */
    static String essentialName(String name) {
        int at = name.indexOf("___");
        return at > 0 ? name.substring(0, at) : name;
    }

    private static int[] indices(CoreRelocation r) {
        String[] parts = r.accessString().split(":");
        int[] idx = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            idx[i] = Integer.parseInt(parts[i]); // checked by the reader (CoreAccess)
        }
        return idx;
    }

    private static long bitsOf(Btf btf, int type) {
        return btf.sizeOf(type).orElse(0) * 8;
    }

    private static boolean isComposite(BtfKind k) {
        return k == BtfKind.STRUCT || k == BtfKind.UNION;
    }

    private static boolean isEnum(BtfKind k) {
        return k == BtfKind.ENUM || k == BtfKind.ENUM64;
    }

    static boolean isExistence(CoreRelocation.Kind k) {
        return k == CoreRelocation.Kind.FIELD_EXISTS || k == CoreRelocation.Kind.TYPE_EXISTS
                || k == CoreRelocation.Kind.ENUMVAL_EXISTS || k == CoreRelocation.Kind.TYPE_MATCHES;
    }

    // ---- patching ----

    private static void patch(String program, byte[] code, int slot, Resolution res) {
        if (slot >= Encoding.slotCount(code)) {
            throw new CoreRelocationException(program + ": CO-RE site at slot " + slot + " is outside the program");
        }
        int opcode = Encoding.opcode(code, slot);
        int cls = opcode & 0x07;
        String where = program + " slot " + slot + " (" + res.relocation().description() + ")";
        boolean wide = Encoding.isLoadImm64(opcode);
        if (wide && slot + 1 >= Encoding.slotCount(code)) {
            throw new CoreRelocationException(where + ": LD_IMM64 without its second slot");
        }
        if (res.poisoned()) {
            // libbpf's poison: call 0xbad2310; an LD_IMM64's second slot becomes ja +0
            Encoding.setSlot(code, slot, Opcode.JMP | Opcode.CALL, 0, 0, (short) 0, POISON_IMM);
            if (wide) {
                Encoding.setSlot(code, slot + 1, Opcode.JMP | Opcode.JA, 0, 0, (short) 0, 0);
            }
            return;
        }
        long value = res.value();
        if (wide) {
            Encoding.setImm64(code, slot, value);
            return;
        }
        if (cls == Opcode.ALU || cls == Opcode.ALU64) {
            if ((opcode & Opcode.X) != 0) {
                throw new CoreRelocationException(where + ": an ALU instruction with a register source cannot be relocated");
            }
            int imm = Encoding.imm(code, slot);
            if (imm != res.localValue()) {
                throw new CoreRelocationException(where + ": the instruction's imm is " + imm + ", but the object's BTF "
                        + "gives " + res.localValue() + " (inconsistent object)");
            }
            if (value != (int) value) {
                throw new CoreRelocationException(where + ": value " + value + " does not fit a 32-bit imm");
            }
            Encoding.setImm(code, slot, (int) value);
            return;
        }
        if (!Encoding.isLoadStore(opcode)) {
            throw new CoreRelocationException(where + ": opcode 0x" + Integer.toHexString(opcode)
                    + " cannot carry a CO-RE relocation (ALU with an immediate, LD_IMM64, LDX MEM/MEMSX, ST/STX MEM)");
        }
        if (res.relocation().kind() != CoreRelocation.Kind.FIELD_BYTE_OFFSET) {
            throw new CoreRelocationException(where + ": a " + res.relocation().kind() + " relocation on a memory "
                    + "access");
        }
        short off = Encoding.offset(code, slot);
        if (off != res.localValue()) {
            throw new CoreRelocationException(where + ": the instruction's offset is " + off + ", but the object's "
                    + "BTF gives " + res.localValue() + " (inconsistent object)");
        }
        if (value > Short.MAX_VALUE) {
            throw new CoreRelocationException(where + ": the target field is at byte " + value
                    + ", beyond a 16-bit instruction offset");
        }
        Encoding.setOffset(code, slot, (short) value);
        int size = res.fieldSize();
        if (cls == Opcode.LDX && size > 0 && size != Encoding.accessSize(opcode) && (size & (size - 1)) == 0 && size <= 8) {
            // the field changed size in the target: load what is there (libbpf does the same)
            Encoding.setAccessSize(code, slot, size);
        }
    }
}
