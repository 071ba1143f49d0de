package dev.autolowat.conformance.workload;

/**
 * Counts of one RPC workload run.
 *
 * @param frames     frames sent
 * @param wakeups    edge-triggered wakeups of the reader
 * @param recvCalls  recv calls the reader made
 * @param bytesRead  bytes the reader got (equals frames × frame size when nothing is lost)
 */
public record WorkloadResult(RpcWorkload workload, long frames, long wakeups, long recvCalls, long bytesRead) {
    public double wakeupsPerFrame() {
        return frames == 0 ? 0 : (double) wakeups / frames;
    }

    public double recvCallsPerFrame() {
        return frames == 0 ? 0 : (double) recvCalls / frames;
    }

    public double bytesPerRecv() {
        return recvCalls == 0 ? 0 : (double) bytesRead / recvCalls;
    }
}
