package dev.superconv.bindings.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import dev.superconv.core.distributed.DistributedConfig;
import dev.superconv.core.distributed.DistributedConfig.Backend;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Bad rendezvous settings end in a one-line {@link BadInputException} within the timeout, not a hang. */
class RendezvousErrorsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static BadInputException openFails(DistributedConfig config) {
        BadInputException e = assertThrows(BadInputException.class, () -> DistributedContext.open(config).close());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void unreachableMasterIsReportedAfterTheTimeout() {
        int port = WorkerProcesses.freePort();
        long start = System.nanoTime();
        BadInputException e = openFails(new DistributedConfig(2, 1, "127.0.0.1", port, Backend.GLOO, TIMEOUT));
        assertTrue(e.getMessage().startsWith("rank 1 cannot reach the rendezvous at 127.0.0.1:" + port + " within 2.0 s"), e.getMessage());
        // Connect retries stop at the timeout plus one retry delay, never at "forever".
        assertTrue(System.nanoTime() - start < 20_000_000_000L, "gave up after " + (System.nanoTime() - start) / 1e9 + " s");
    }

    @Test
    void portInUseCannotHostTheRendezvous() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            BadInputException e = openFails(new DistributedConfig(2, 0, "127.0.0.1", port, Backend.GLOO, TIMEOUT));
            assertTrue(e.getMessage().startsWith("rank 0 cannot host the rendezvous at 127.0.0.1:" + port), e.getMessage());
        }
    }

    @Test
    void missingRanksAreReportedAfterTheTimeout() {
        int port = WorkerProcesses.freePort();
        BadInputException e = openFails(new DistributedConfig(2, 0, "127.0.0.1", port, Backend.GLOO, TIMEOUT));
        assertTrue(e.getMessage().startsWith("rendezvous at 127.0.0.1:" + port + ": not all 2 ranks joined within 2.0 s"), e.getMessage());
    }

    @Test
    void ncclWithoutGpuSaysSo() {
        BadInputException e = openFails(new DistributedConfig(1, 0, "127.0.0.1", WorkerProcesses.freePort(), Backend.NCCL, TIMEOUT));
        assertTrue(e.getMessage().startsWith("--backend nccl: "), e.getMessage());
    }

    @Test
    void oneRankJobWorksAlone() {
        try (DistributedContext ctx = DistributedContext.open(new DistributedConfig(1, 0, "127.0.0.1", WorkerProcesses.freePort(), Backend.GLOO, TIMEOUT))) {
            assertEquals(2.5, ctx.sum(2.5)[0]);
            ctx.barrier();
        }
    }
}
