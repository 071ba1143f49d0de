package dev.autolowat.api.program;

import dev.autolowat.api.event.RcvQueueEvent;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Program names follow the kernel's BPF_OBJ_NAME_LEN rule; program records copy their maps. */
class ProgramNamesTest {

    private static final SockOpsHandler SOCK_OPS_HANDLER = (RcvQueueEvent event, SockOpsContext ctx) -> 1;
    private static final SockoptHandler SOCKOPT_HANDLER = ctx -> 1;
    private static final BpfBytecode CODE = BpfBytecode.of(new byte[] {
        (byte) 0xb7, 0, 0, 0, 1, 0, 0, 0,
        (byte) 0x95, 0, 0, 0, 0, 0, 0, 0,
    });
    private static final MapSpec STATE = new MapSpec("sk_state", MapType.SK_STORAGE, 4, 24, 0);
    private static final MapSpec LOG = new MapSpec("log", MapType.RINGBUF, 0, 0, 4096);

    /** Every constructor that checks a program name. */
    private static final List<Consumer<String>> CONSTRUCTORS = List.of(
            name -> SockOpsProgram.of(name, SOCK_OPS_HANDLER),
            name -> new SockOpsProgram.Handler(name, SOCK_OPS_HANDLER),
            name -> new SockOpsProgram.Bytecode(name, "GPL", CODE, List.of()),
            name -> SockoptProgram.of(name, SOCKOPT_HANDLER),
            name -> new SockoptProgram.Handler(name, SOCKOPT_HANDLER),
            name -> new SockoptProgram.Bytecode(name, "GPL", CODE, List.of()));

    @DisplayName("valid names are accepted by every program form")
    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"a", "autolowat", "auto_lowat.v3", "ABCdef0123456_.", "0"})
    void validNames(String name) {
        for (Consumer<String> constructor : CONSTRUCTORS) {
            constructor.accept(name);
        }
        assertEquals(name, SockOpsProgram.of(name, SOCK_OPS_HANDLER).name());
        assertEquals(name, SockoptProgram.of(name, SOCKOPT_HANDLER).name());
        assertEquals(name, new SockOpsProgram.Bytecode(name, "GPL", CODE, List.of()).name());
        assertEquals(name, new SockoptProgram.Bytecode(name, "GPL", CODE, List.of()).name());
    }

    @DisplayName("invalid names are rejected by every program form with a message quoting the name")
    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "sixteen_chars_xx", "a much too long program name", "auto-lowat", "a b", "x/y", "ü"})
    void invalidNames(String name) {
        for (Consumer<String> constructor : CONSTRUCTORS) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> constructor.accept(name));
            assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
        }
    }

    @Test
    @DisplayName("a null name is rejected with IllegalArgumentException by every program form")
    void nullName() {
        for (Consumer<String> constructor : CONSTRUCTORS) {
            assertThrows(IllegalArgumentException.class, () -> constructor.accept(null));
        }
    }

    @Test
    @DisplayName("of() builds the Handler form holding the given handler")
    void ofBuildsHandler() {
        SockOpsProgram p = SockOpsProgram.of("pol", SOCK_OPS_HANDLER);
        SockOpsProgram.Handler h = assertInstanceOf(SockOpsProgram.Handler.class, p);
        assertSame(SOCK_OPS_HANDLER, h.handler());

        SockoptProgram q = SockoptProgram.of("enable", SOCKOPT_HANDLER);
        SockoptProgram.Handler k = assertInstanceOf(SockoptProgram.Handler.class, q);
        assertSame(SOCKOPT_HANDLER, k.handler());
    }

    @Test
    @DisplayName("null handler, license, code or maps are rejected")
    void nullParts() {
        assertThrows(NullPointerException.class, () -> SockOpsProgram.of("p", null));
        assertThrows(NullPointerException.class, () -> SockoptProgram.of("p", null));
        assertThrows(NullPointerException.class, () -> new SockOpsProgram.Bytecode("p", null, CODE, List.of()));
        assertThrows(NullPointerException.class, () -> new SockOpsProgram.Bytecode("p", "GPL", null, List.of()));
        assertThrows(NullPointerException.class, () -> new SockOpsProgram.Bytecode("p", "GPL", CODE, null));
        assertThrows(NullPointerException.class, () -> new SockoptProgram.Bytecode("p", null, CODE, List.of()));
        assertThrows(NullPointerException.class, () -> new SockoptProgram.Bytecode("p", "GPL", null, List.of()));
        assertThrows(NullPointerException.class, () -> new SockoptProgram.Bytecode("p", "GPL", CODE, null));
    }

    @Test
    @DisplayName("SockOpsProgram.Bytecode copies its maps: later changes to the list do not show, and the copy is immutable")
    void sockOpsMapsCopied() {
        List<MapSpec> maps = new ArrayList<>(List.of(STATE));
        SockOpsProgram.Bytecode p = new SockOpsProgram.Bytecode("pol", "GPL", CODE, maps);
        maps.add(LOG);
        maps.set(0, LOG);
        assertEquals(List.of(STATE), p.maps());
        assertThrows(UnsupportedOperationException.class, () -> p.maps().add(LOG));
        assertThrows(UnsupportedOperationException.class, () -> p.maps().clear());
    }

    @Test
    @DisplayName("SockoptProgram.Bytecode copies its maps: later changes to the list do not show, and the copy is immutable")
    void sockoptMapsCopied() {
        List<MapSpec> maps = new ArrayList<>(List.of(STATE, LOG));
        SockoptProgram.Bytecode p = new SockoptProgram.Bytecode("enable", "GPL", CODE, maps);
        maps.clear();
        assertEquals(List.of(STATE, LOG), p.maps());
        assertThrows(UnsupportedOperationException.class, () -> p.maps().remove(0));
    }

    @Test
    @DisplayName("maps keep their order (the order of the program's map indexes)")
    void mapsOrderKept() {
        assertEquals(List.of(LOG, STATE), new SockOpsProgram.Bytecode("p", "GPL", CODE, List.of(LOG, STATE)).maps());
    }

    @Test
    @DisplayName("a null map in the list is rejected")
    void nullMapElement() {
        List<MapSpec> maps = new ArrayList<>();
        maps.add(null);
        assertThrows(NullPointerException.class, () -> new SockOpsProgram.Bytecode("p", "GPL", CODE, maps));
        assertThrows(NullPointerException.class, () -> new SockoptProgram.Bytecode("p", "GPL", CODE, maps));
    }

    @Test
    @DisplayName("SockOpsHandler.onOp defaults to returning 1")
    void defaultOnOp() {
        assertEquals(1, SOCK_OPS_HANDLER.onOp(null));
    }

    @Test
    @DisplayName("program types: SOCK_OPS 13/3, CGROUP_SETSOCKOPT 25/22")
    void programTypes() {
        assertEquals(13, ProgramType.SOCK_OPS.progType());
        assertEquals(3, ProgramType.SOCK_OPS.attachType());
        assertEquals(25, ProgramType.CGROUP_SETSOCKOPT.progType());
        assertEquals(22, ProgramType.CGROUP_SETSOCKOPT.attachType());
    }
}
