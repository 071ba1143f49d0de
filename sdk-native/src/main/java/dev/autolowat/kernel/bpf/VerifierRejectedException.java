package dev.autolowat.kernel.bpf;

import dev.autolowat.api.ProgramRejectedException;
import dev.autolowat.kernel.sys.ErrnoNames;

/**
 * The kernel's verifier refused a program at {@code BPF_PROG_LOAD}. Carries the verifier log
 * ({@link #log()}); the message names the program, the errno by name and number, the log's last
 * line (usually the reason, e.g. {@code R2 !read_ok}) and then the log itself (its last
 * {@value #MESSAGE_LOG_LIMIT} characters when longer).
 */
public class VerifierRejectedException extends ProgramRejectedException {
    /** The most log characters the message repeats; {@link #log()} has all of it. */
    public static final int MESSAGE_LOG_LIMIT = 64 * 1024;

    private final String program;
    private final int errno;
    private final String log;
    private final boolean truncated;

    /**
     * @param program   the program's name
     * @param errno     the positive errno of {@code BPF_PROG_LOAD} (EACCES, EINVAL, E2BIG...)
     * @param log       the verifier log (level 1)
     * @param truncated whether the kernel's log did not fit the largest buffer offered
     */
    public VerifierRejectedException(String program, int errno, String log, boolean truncated) {
        super(message(program, errno, log, truncated));
        this.program = program;
        this.errno = errno;
        this.log = log;
        this.truncated = truncated;
    }

    private static String message(String program, int errno, String log, boolean truncated) {
        String shown = log.length() > MESSAGE_LOG_LIMIT ? "..." + log.substring(log.length() - MESSAGE_LOG_LIMIT) : log;
        return "the verifier rejected program '" + program + "' (bpf(BPF_PROG_LOAD) failed with "
                + ErrnoNames.name(errno) + " (" + errno + ")): " + lastLine(log)
                + ". Fix the program; the verifier log" + (truncated ? " (truncated by the kernel)" : "") + ":\n"
                + shown;
    }

    /** The last non-blank line of the log without the "processed N insns" summary, or a placeholder. */
    static String lastLine(String log) {
        String[] lines = log.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = lines[i].strip();
            if (!l.isEmpty() && !l.startsWith("processed ") && !l.startsWith("verification time")
                    && !l.startsWith("stack depth")) {
                return l;
            }
        }
        return "(empty verifier log)";
    }

    /** The program's name. */
    public String program() {
        return program;
    }

    /** The positive errno number. */
    public int errno() {
        return errno;
    }

    /** The errno's name, e.g. {@code EACCES}. */
    public String errnoName() {
        return ErrnoNames.name(errno);
    }

    /** The whole verifier log. */
    public String log() {
        return log;
    }

    /**
     * The verifier's reason: the log's last non-blank line that is not a summary ("processed N insns",
     * verification time, stack depth), e.g. {@code invalid bpf_context access off=0 size=8}.
     */
    public String reason() {
        return lastLine(log);
    }

    /** Whether the kernel had more log than the largest buffer offered (the log is then its tail). */
    public boolean truncated() {
        return truncated;
    }
}
