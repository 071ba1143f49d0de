package dev.autolowat.api.asm;

import dev.autolowat.api.ProgramRejectedException;

import java.util.List;
import java.util.Optional;

/**
 * The one relocation step: a program's {@link Relocation}s checked where they sit
 * ({@link Encoding#misplaced}) and completed with what a backend resolved — a map's fd or handle, a
 * field's offset, a kfunc's id — written into the instructions by {@link Encoding}. The native
 * loaders (SDK programs and clang objects, whose references {@code ObjectProgram.portable} turns
 * into {@link Relocation}s) run {@link #apply}; the simulator's loader, which keeps maps as objects,
 * checks with the same rule and patches field offsets and kfunc ids with {@link #patch}.
 */
public final class Relocations {
    private Relocations() {
    }

    /** What a backend resolved for each kind of reference. */
    public interface Resolver {
        /** The map's fd (kernel) or handle. */
        int map(Relocation.MapRef r);

        /** The field's byte offset in the backend's kernel object. */
        int field(Relocation.FieldRef r);

        /** The kfunc's id (vmlinux BTF id for a kernel). */
        int kfunc(Relocation.KfuncRef r);
    }

    /**
     * Checks that every relocation sits on an instruction of its kind.
     *
     * @throws ProgramRejectedException naming the program, the relocation and why
     */
    public static void check(String program, byte[] code, List<Relocation> relocations, int mapCount) {
        boolean[] second = Encoding.secondSlots(code);
        for (Relocation r : relocations) {
            Optional<String> why = Encoding.misplaced(r, code, second, mapCount);
            if (why.isPresent()) {
                throw reject(program, r, why.get());
            }
        }
    }

    /**
     * Checks every relocation and writes what {@code resolver} gives into {@code code}.
     *
     * @throws ProgramRejectedException when a relocation is misplaced or its value does not fit
     */
    public static void apply(String program, byte[] code, List<Relocation> relocations, int mapCount, Resolver resolver) {
        check(program, code, relocations, mapCount);
        for (Relocation r : relocations) {
            int value;
            if (r instanceof Relocation.MapRef m) {
                value = resolver.map(m);
            } else if (r instanceof Relocation.FieldRef f) {
                value = resolver.field(f);
            } else {
                value = resolver.kfunc((Relocation.KfuncRef) r);
            }
            Optional<String> problem = patch(code, r, value);
            if (problem.isPresent()) {
                throw reject(program, r, problem.get());
            }
        }
    }

    /**
     * Completes one (checked) relocation with its resolved {@code value}: a map reference's
     * {@code LD_IMM64} gets the fd — with {@code BPF_PSEUDO_MAP_VALUE} kept, and its offset, when it
     * addresses the map's value —, a field reference's load or store gets the field's offset added to
     * its own, a kfunc call gets the id. Returns why it cannot, or empty.
     */
    public static Optional<String> patch(byte[] code, Relocation r, int value) {
        int slot = r.slot();
        if (r instanceof Relocation.MapRef) {
            if (Encoding.src(code, slot) == Opcode.PSEUDO_MAP_VALUE) {
                Encoding.setMapValue(code, slot, value, Encoding.imm(code, slot + 1));
            } else {
                Encoding.setMapFd(code, slot, value);
            }
        } else if (r instanceof Relocation.FieldRef f) {
            int off = value + Encoding.offset(code, slot);
            if (off != (short) off) {
                return Optional.of("field " + f.struct() + "." + f.field() + " at offset " + value + " plus "
                        + Encoding.offset(code, slot) + " does not fit the instruction's signed 16-bit offset");
            }
            Encoding.setOffset(code, slot, (short) off);
        } else {
            Encoding.setKfunc(code, slot, value);
        }
        return Optional.empty();
    }

    /** {@code map reference #0}, {@code field reference tcp_sock.copied_seq}, {@code kfunc call name}. */
    public static String describe(Relocation r) {
        if (r instanceof Relocation.MapRef m) {
            return "map reference #" + m.mapIndex();
        }
        if (r instanceof Relocation.FieldRef f) {
            return "field reference " + f.struct() + "." + f.field();
        }
        return "kfunc call " + ((Relocation.KfuncRef) r).name();
    }

    /** A relocation the program's loader cannot complete: {@code program 'p': cannot resolve <what> at slot N: why}. */
    public static ProgramRejectedException reject(String program, Relocation r, String why) {
        return new ProgramRejectedException("program '" + program + "': cannot resolve " + describe(r) + " at slot "
                + r.slot() + ": " + why);
    }
}
