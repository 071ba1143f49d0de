package dev.autolowat.kernel;

import dev.autolowat.api.spi.ConnectOptions;

/**
 * A JVM that runs native sessions in a loop — open, attach a logging program with its map, connect,
 * send, observe, close — until it is killed: {@link LeftoversTest} SIGKILLs it at random points and
 * checks that what it created is gone after the next session start. Prints {@code up} once the JVM
 * is running (before its first session) and {@code looping} after its first session.
 */
final class KillTargetMain {
    private KillTargetMain() {
    }

    public static void main(String[] args) {
        System.out.println("up");
        System.out.flush();
        NativeBackend backend = new NativeBackend();
        boolean first = true;
        while (true) {
            try (NativeSession s = backend.openSession()) {
                s.attach(NativeTestPrograms.logger("kill_log", 16));
                for (int i = 0; i < 2; i++) {
                    NativeConnection c = s.connect(ConnectOptions.IPV4);
                    c.send(new byte[4]);
                    c.observe();
                }
            }
            if (first) {
                first = false;
                System.out.println("looping");
                System.out.flush();
            }
        }
    }
}
