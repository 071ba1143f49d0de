package dev.autolowat.sim;

import dev.autolowat.api.spi.Invocation;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InvocationLogTest {

    @Test
    @DisplayName("the log keeps entries in order across growth and drains them")
    void keepsOrder() {
        InvocationLog log = new InvocationLog();
        for (int i = 0; i < 1000; i++) {
            log.add(21, i, i + 1, 1);
        }
        List<Invocation> out = log.drain();
        assertEquals(1000, out.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals(new Invocation(21, i, i + 1, 1), out.get(i));
        }
        assertEquals(0, log.drain().size());
        assertEquals(0, log.takeDropped());
    }

    @Test
    @DisplayName("a full log drops the oldest entries, counts them, and keeps the newest in order")
    void boundedRing() {
        InvocationLog log = new InvocationLog();
        int total = InvocationLog.CAPACITY + 100;
        for (int i = 0; i < total; i++) {
            log.add(21, i, 0, 0);
        }
        assertEquals(100, log.takeDropped());
        assertEquals(0, log.takeDropped(), "counted once: the connection adds the counts up");
        List<Invocation> out = log.drain();
        assertEquals(InvocationLog.CAPACITY, out.size());
        assertEquals(100, out.get(0).seq());
        assertEquals(total - 1, out.get(out.size() - 1).seq());
        log.add(5, 0, 0, 0);
        assertEquals(List.of(new Invocation(5, 0, 0, 0)), log.drain());
    }
}
