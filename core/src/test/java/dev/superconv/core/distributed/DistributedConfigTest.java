package dev.superconv.core.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import dev.superconv.core.distributed.DistributedConfig.Backend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DistributedConfigTest {
    private static final Duration T = Duration.ofSeconds(30);

    private static DistributedConfig resolve(Integer world, Integer rank, String master, Map<String, String> env) {
        return DistributedConfig.resolve(world, rank, master, env, Backend.GLOO, T);
    }

    private static String error(Integer world, Integer rank, String master, Map<String, String> env) {
        return assertThrows(BadInputException.class, () -> resolve(world, rank, master, env)).getMessage();
    }

    @Test
    void nothingGivenIsOneProcess() {
        DistributedConfig c = resolve(null, null, null, Map.of());
        assertEquals(1, c.worldSize());
        assertEquals(0, c.rank());
        assertFalse(c.distributed());
        assertTrue(c.primary());
    }

    @Test
    void flagsDescribeTheJob() {
        DistributedConfig c = resolve(4, 3, "10.1.2.3:29511", Map.of());
        assertEquals(new DistributedConfig(4, 3, "10.1.2.3", 29511, Backend.GLOO, T), c);
        assertTrue(c.distributed());
        assertFalse(c.primary());
    }

    @Test
    void environmentDescribesTheJobAndFlagsWin() {
        Map<String, String> env = Map.of("WORLD_SIZE", "2", "RANK", "1", "MASTER_ADDR", "node0", "MASTER_PORT", "23456");
        assertEquals(new DistributedConfig(2, 1, "node0", 23456, Backend.GLOO, T), resolve(null, null, null, env));
        assertEquals(new DistributedConfig(2, 0, "node1", 7000, Backend.GLOO, T), resolve(null, 0, "node1:7000", env));
    }

    @Test
    void ipv6MasterInBrackets() {
        assertEquals(new Rendezvous.Tcp("::1", 29500), resolve(2, 0, "[::1]:29500", Map.of()).rendezvous());
        assertEquals("[::1]:29500", resolve(2, 0, "[::1]:29500", Map.of()).rendezvous().describe());
    }

    @Test
    void sharedFileRendezvous() {
        DistributedConfig c = resolve(2, 1, "file:/mnt/shared/job7", Map.of());
        assertEquals(new Rendezvous.SharedFile(Path.of("/mnt/shared/job7")), c.rendezvous());
        assertEquals(c, resolve(null, null, null, c.environment()));
        assertEquals("--master file:: the file path is empty", error(2, 0, "file:", Map.of()));
    }

    @Test
    void environmentRoundTrips() {
        DistributedConfig c = new DistributedConfig(3, 2, "127.0.0.1", 4242, Backend.GLOO, T);
        assertEquals(c, resolve(null, null, null, c.environment()));
        assertEquals(c.withRank(0), resolve(null, null, null, c.withRank(0).environment()));
    }

    @Test
    void badSettingsNameTheThingAndTheReason() {
        assertEquals("rank 2: must be in [0, 2) for world size 2", error(2, 2, "h:1", Map.of()));
        assertEquals("rank -1: must be in [0, 2) for world size 2", error(2, -1, "h:1", Map.of()));
        assertEquals("world size 0: must be at least 1", error(0, 0, "h:1", Map.of()));
        assertEquals("master port 70000: must be in 1..65535", error(2, 0, "h:70000", Map.of()));
        assertEquals("master port 'x': not a number", error(2, 0, "h:x", Map.of()));
        assertEquals("--master h: expected ADDR:PORT, e.g. 10.0.0.1:29500, or file:PATH", error(2, 0, "h", Map.of()));
        assertTrue(error(2, null, "h:1", Map.of()).contains("--rank R or set RANK"));
        assertTrue(error(2, 0, null, Map.of()).contains("--master ADDR:PORT or set MASTER_ADDR and MASTER_PORT"));
        assertEquals("WORLD_SIZE='two': not an integer", error(null, null, null, Map.of("WORLD_SIZE", "two")));
        assertTrue(error(null, 1, null, Map.of()).contains("need --world-size"));
        assertEquals("--backend mpi: unknown backend (expected gloo or nccl)",
                assertThrows(BadInputException.class, () -> Backend.parse("mpi")).getMessage());
        assertEquals(Backend.NCCL, Backend.parse("nccl"));
    }
}
