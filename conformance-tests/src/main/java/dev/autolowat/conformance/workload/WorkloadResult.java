package dev.autolowat.conformance.workload;

/**
 * Counts of one RPC workload run.
 *
 * @param workload        the workload that was run
 * @param backend         the backend's name
 * @param frames          frames sent
 * @param wakeups         edge-triggered wakeups of the reader
 * @param recvCalls       recv calls the reader made
 * @param setsockoptCalls {@code setsockopt(SO_RCVLOWAT)} calls the reader made (the static lowat's
 *                        one call, userspace AutoLOWAT's calls; the policy's A2 enable call is not
 *                        counted: it is made once per connection, not per frame)
 * @param bytesRead       bytes the reader got (equals frames × frame size when nothing is lost)
 */
public record WorkloadResult(RpcWorkload workload, String backend, long frames, long wakeups, long recvCalls,
                             long setsockoptCalls, long bytesRead) {
    public double wakeupsPerFrame() {
        return perFrame(wakeups);
    }

    public double recvCallsPerFrame() {
        return perFrame(recvCalls);
    }

    public double setsockoptCallsPerFrame() {
        return perFrame(setsockoptCalls);
    }

    /** recv plus setsockopt calls per frame: the reader's system calls besides epoll_wait. */
    public double syscallsPerFrame() {
        return perFrame(recvCalls + setsockoptCalls);
    }

    public double bytesPerRecv() {
        return recvCalls == 0 ? 0 : (double) bytesRead / recvCalls;
    }

    /** The counts alone (no workload, no backend): what two backends must agree on. */
    public String counts() {
        return "wakeups=" + wakeups + " recv=" + recvCalls + " setsockopt=" + setsockoptCalls + " bytes=" + bytesRead;
    }

    private double perFrame(long n) {
        return frames == 0 ? 0 : (double) n / frames;
    }
}
