package dev.superconv.bindings.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.run.RunDirectory;
import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** last.pt keeps its predecessor as last.pt.prev; a torn or missing last.pt falls back to it with one message. */
class LastCheckpointFallbackTest {
    @TempDir Path tmp;

    private static Checkpoint checkpoint(float value) {
        return new Checkpoint(Checkpoint.newMeta().put("step", (int) value),
                Map.of("w", new Checkpoint.Tensor(new long[] {2, 3}, new float[] {value, 1, 2, 3, 4, 5})));
    }

    private RunDirectory twoCheckpoints() {
        RunDirectory files = new RunDirectory(tmp);
        files.writeLast(checkpoint(1));
        assertTrue(Files.notExists(files.lastPrevious()), "the first last.pt has no predecessor");
        files.writeLast(checkpoint(2));
        return files;
    }

    @Test
    void keepsThePreviousCheckpoint() {
        RunDirectory files = twoCheckpoints();
        assertEquals(2, Checkpoint.read(files.last()).meta().path("step").asInt());
        assertEquals(1, Checkpoint.read(files.lastPrevious()).meta().path("step").asInt());
        List<String> log = new ArrayList<>();
        assertEquals(2, files.readLast(log::add).meta().path("step").asInt());
        assertEquals(List.of(), log, "a good last.pt is used silently");
    }

    @Test
    void aTornLastFallsBackToThePreviousWithAMessage() throws Exception {
        RunDirectory files = twoCheckpoints();
        try (RandomAccessFile f = new RandomAccessFile(files.last().toFile(), "rw")) {
            f.setLength(f.length() - 13); // a write cut short
        }
        List<String> log = new ArrayList<>();
        Checkpoint used = files.readLast(log::add);
        assertArrayEquals(new float[] {1, 1, 2, 3, 4, 5}, used.tensor("w").data());
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.getFirst().contains("checksum mismatch") && log.getFirst().contains("last.pt.prev"), log.getFirst());
    }

    @Test
    void aFlippedBitFallsBackToo() throws Exception {
        RunDirectory files = twoCheckpoints();
        byte[] bytes = Files.readAllBytes(files.last());
        bytes[bytes.length - 20] ^= 0x10;
        Files.write(files.last(), bytes);
        List<String> log = new ArrayList<>();
        assertEquals(1, files.readLast(log::add).meta().path("step").asInt());
        assertEquals(1, log.size());
    }

    @Test
    void aMissingLastFallsBack() throws Exception {
        RunDirectory files = twoCheckpoints();
        Files.delete(files.last()); // killed between keeping last.pt.prev and writing the new last.pt
        List<String> log = new ArrayList<>();
        assertEquals(1, files.readLast(log::add).meta().path("step").asInt());
        assertTrue(log.getFirst().contains("no such file"), log.toString());
    }

    @Test
    void withoutAGoodPreviousTheTornFileIsReported() throws Exception {
        RunDirectory files = new RunDirectory(tmp);
        files.writeLast(checkpoint(1));
        Files.write(files.last(), new byte[] {1, 2, 3});
        BadInputException e = assertThrows(BadInputException.class, () -> files.readLast(m -> {}));
        assertTrue(e.getMessage().contains("last.pt") && e.getMessage().contains("not a superconv checkpoint"), e.getMessage());
    }
}
