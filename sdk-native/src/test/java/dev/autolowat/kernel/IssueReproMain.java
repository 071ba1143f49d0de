package dev.autolowat.kernel;

import dev.autolowat.api.spi.BackendSession;
import dev.autolowat.api.spi.ConnectOptions;
import dev.autolowat.api.spi.Connection;

/**
 * Issue 17's reproducer, verbatim but for the iteration count (the first argument): a thread
 * polls {@code readable()} while the main thread closes the connection. Before the fix it crashed
 * the JVM (SIGSEGV in {@code Native.getInt}) within ~60 iterations. Run by {@link CloseRaceTest} in
 * a child JVM, so a regression fails a test instead of killing the Surefire fork. Prints
 * {@code ok <iterations>} at the end.
 */
final class IssueReproMain {
    private IssueReproMain() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = Integer.parseInt(args[0]);
        try (BackendSession s = new NativeBackend().openSession()) {
            for (int i = 0; i < iterations; i++) {
                Connection c = s.connect(ConnectOptions.IPV4);
                c.send(new byte[10]);
                Thread t = new Thread(() -> {
                    try {
                        while (true) {
                            c.readable();
                        }
                    } catch (RuntimeException e) {
                        // the close ends the loop
                    }
                });
                t.start();
                Thread.sleep(0, 50_000);
                c.close();
                t.join();
            }
        }
        System.out.println("ok " + iterations);
    }
}
