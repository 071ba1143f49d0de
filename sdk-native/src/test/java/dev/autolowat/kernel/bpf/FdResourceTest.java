package dev.autolowat.kernel.bpf;

import dev.autolowat.kernel.sys.LibC;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FdResource}, the one owner of "a descriptor we close once" under maps, programs, BTF and
 * cgroup attachments: on {@code /dev/null}, so it needs no privileges.
 */
@DisplayName("FdResource: close once, the subclass's step first, the descriptor released also when that step fails")
class FdResourceTest {

    /** A resource that counts its {@code beforeClose} calls and can be told to fail in it. */
    private static final class Counted extends FdResource {
        final AtomicInteger beforeClose = new AtomicInteger();
        final RuntimeException failure;

        Counted(OwnedFd fd, RuntimeException failure) {
            super(fd);
            this.failure = failure;
        }

        @Override
        protected void beforeClose() {
            beforeClose.incrementAndGet();
            assertFalse(isClosedFd(), "beforeClose runs while the descriptor is open");
            if (failure != null) {
                throw failure;
            }
        }

        boolean isClosedFd() {
            try {
                fd();
                return false;
            } catch (IllegalStateException e) {
                return true;
            }
        }
    }

    private static OwnedFd devNull() {
        return OwnedFd.open("/dev/null", LibC.O_RDONLY, "/dev/null");
    }

    @Test
    @DisplayName("close() is idempotent: beforeClose runs once, the descriptor is closed, fd() then refuses")
    void closeOnce() {
        OwnedFd fd = devNull();
        Counted r = new Counted(fd, null);
        assertEquals(fd.get(), r.fd());
        assertFalse(r.isClosed());
        r.close();
        r.close();
        assertEquals(1, r.beforeClose.get());
        assertTrue(r.isClosed());
        assertTrue(fd.isClosed(), "the owned descriptor is released");
        IllegalStateException e = assertThrows(IllegalStateException.class, r::fd);
        assertTrue(e.getMessage().contains("/dev/null is closed"), e.getMessage());
    }

    @Test
    @DisplayName("a failing beforeClose propagates, and the descriptor is released anyway; a second close does nothing")
    void releasedOnFailure() {
        OwnedFd fd = devNull();
        IllegalStateException boom = new IllegalStateException("detach refused");
        Counted r = new Counted(fd, boom);
        assertSame(boom, assertThrows(IllegalStateException.class, r::close));
        assertTrue(fd.isClosed());
        assertTrue(r.isClosed());
        r.close();
        assertEquals(1, r.beforeClose.get());
    }

    @Test
    @DisplayName("dup gives a separately owned descriptor that outlives the resource")
    void dupOutlives() {
        Counted r = new Counted(devNull(), null);
        try (OwnedFd copy = r.dup("copy of /dev/null")) {
            assertNotEquals(r.fd(), copy.get());
            r.close();
            assertFalse(copy.isClosed());
            assertTrue(copy.get() >= 0);
        }
    }
}
