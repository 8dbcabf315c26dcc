package dev.superconv.cli.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.cli.CliRunner;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.io.AtomicFiles;
import dev.superconv.core.report.EpochMetrics;
import dev.superconv.core.report.MetricsLog;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints through the command line: files in superconv's earlier (SCCKPT01) format still export
 * and resume, and damaged safetensors checkpoints are refused with one line and exit 2.
 */
class CheckpointFormatCommandTest {
    @TempDir static Path root;
    private static Path data;
    private static Path straight;
    private static String savedCacheDir;

    private static String[] trainArgs(Path out) {
        return new String[] {"train", "--data", data.toString(), "--out", out.toString(), "--width", "0.125", "--batch-size", "16",
            "--epochs", "2", "--max-lr", "0.2", "--threads", "1", "--precision", "fp32", "--device", "cpu", "--seed", "11"};
    }

    @BeforeAll
    static void twoEpochRun() throws Exception {
        savedCacheDir = System.getProperty("superconv.cache.dir");
        System.setProperty("superconv.cache.dir", root.resolve("cache").toString());
        data = Fixtures.imageFolder(root.resolve("data"), 32, 8);
        straight = root.resolve("straight");
        CliRunner.Result r = CliRunner.run(trainArgs(straight));
        assertEquals(0, r.exitCode(), r.toString());
    }

    @AfterAll
    static void restore() {
        if (savedCacheDir == null) {
            System.clearProperty("superconv.cache.dir");
        } else {
            System.setProperty("superconv.cache.dir", savedCacheDir);
        }
    }

    /** Checkpoint.write as it was up to commit 6678423, kept to produce files in the earlier format. */
    static void writeEarlierFormat(Checkpoint checkpoint, Path file) {
        ObjectNode header = Checkpoint.newMeta();
        header.set("meta", checkpoint.meta());
        ArrayNode list = header.putArray("tensors");
        for (Map.Entry<String, Checkpoint.Tensor> e : checkpoint.tensors().entrySet()) {
            ObjectNode t = list.addObject();
            t.put("name", e.getKey());
            ArrayNode shape = t.putArray("shape");
            Arrays.stream(e.getValue().shape()).forEach(shape::add);
        }
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, raw -> {
            CRC32C crc = new CRC32C();
            DataOutputStream out = new DataOutputStream(new java.util.zip.CheckedOutputStream(raw, crc));
            out.write("SCCKPT01".getBytes(StandardCharsets.US_ASCII));
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(headerBytes.length).array());
            out.write(headerBytes);
            for (Checkpoint.Tensor t : checkpoint.tensors().values()) {
                ByteBuffer buf = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(t.data());
                out.write(buf.array());
            }
            out.flush();
            raw.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(crc.getValue()).array());
        });
    }

    @Test
    void anEarlierFormatBestExportsTheSameModel() throws Exception {
        Path old = root.resolve("old-best.pt");
        writeEarlierFormat(Checkpoint.read(straight.resolve("best.pt")), old);
        assertArrayEquals("SCCKPT01".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(Files.readAllBytes(old), 8));
        Path fromNew = root.resolve("new.onnx");
        Path fromOld = root.resolve("old.onnx");
        CliRunner.Result a = CliRunner.run("export", "--checkpoint", straight.resolve("best.pt").toString(), "--out", fromNew.toString());
        CliRunner.Result b = CliRunner.run("export", "--checkpoint", old.toString(), "--out", fromOld.toString());
        assertEquals(0, a.exitCode(), a.toString());
        assertEquals(0, b.exitCode(), b.toString());
        assertArrayEquals(Files.readAllBytes(fromNew), Files.readAllBytes(fromOld), "the same ONNX model from either format");
    }

    /**
     * A run stopped after epoch 1 by a version that wrote the earlier format (its last.pt of then is
     * the finished run's last.pt.prev): resumed now, it ends bit for bit as the uninterrupted run
     * and its new last.pt is safetensors.
     */
    @Test
    void anEarlierFormatLastResumesBitForBit() throws Exception {
        Path run = Files.createDirectories(root.resolve("old-run"));
        Files.copy(straight.resolve("config.json"), run.resolve("config.json"));
        Files.copy(straight.resolve("metrics.jsonl"), run.resolve("metrics.jsonl"));
        Checkpoint afterEpochOne = Checkpoint.read(straight.resolve("last.pt.prev"));
        assertEquals(1, afterEpochOne.meta().path("training").path("epochs_done").asInt());
        writeEarlierFormat(afterEpochOne, run.resolve("last.pt"));

        CliRunner.Result r = CliRunner.run("train", "--resume", "--out", run.toString(), "--threads", "1");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("resumed " + run.resolve("last.pt") + " after epoch 1"), r.out());

        byte[] newLast = Files.readAllBytes(run.resolve("last.pt"));
        assertEquals('{', newLast[8], "written as safetensors");
        Map<String, Checkpoint.Tensor> expected = Checkpoint.read(straight.resolve("last.pt")).tensors();
        Map<String, Checkpoint.Tensor> actual = Checkpoint.read(run.resolve("last.pt")).tensors();
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        assertTrue(expected.keySet().stream().anyMatch(k -> k.startsWith("optim.")), "momentum buffers restored and saved");
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name).data(), actual.get(name).data(), name);
        }
        assertEquals(MetricsLog.read(straight.resolve("metrics.jsonl")).stream().map(EpochMetrics::trainLoss).toList(),
                MetricsLog.read(run.resolve("metrics.jsonl")).stream().map(EpochMetrics::trainLoss).toList());
    }

    /** Puts a correct superconv.crc32c back after an edit, so the structure checks are what refuses the file. */
    private static byte[] resealed(byte[] file) {
        String text = new String(file, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\"superconv.crc32c\":\"") + "\"superconv.crc32c\":\"".length();
        byte[] zeroed = file.clone();
        Arrays.fill(zeroed, at, at + 8, (byte) '0');
        CRC32C crc = new CRC32C();
        crc.update(zeroed);
        System.arraycopy(HexFormat.of().toHexDigits((int) crc.getValue()).getBytes(StandardCharsets.US_ASCII), 0, zeroed, at, 8);
        return zeroed;
    }

    @Test
    void damagedSafetensorsExitTwoWithOneLine() throws Exception {
        byte[] good = Files.readAllBytes(straight.resolve("best.pt"));
        int headerLength = (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x01;
        byte[] pastEnd = good.clone();
        ByteBuffer.wrap(pastEnd).order(ByteOrder.LITTLE_ENDIAN).putLong(0, good.length);
        // the second tensor moved 4 bytes back, into the first one
        String header = new String(good, 8, headerLength, StandardCharsets.UTF_8);
        Matcher offsets = Pattern.compile("\"data_offsets\":\\[(\\d+),(\\d+)]").matcher(header);
        assertTrue(offsets.find() && offsets.find(), header);
        String moved = header.substring(0, offsets.start()) + "\"data_offsets\":[" + (Long.parseLong(offsets.group(1)) - 4) + ","
                + (Long.parseLong(offsets.group(2)) - 4) + "]" + header.substring(offsets.end());
        byte[] movedBytes = moved.getBytes(StandardCharsets.UTF_8);
        int dataBytes = good.length - 8 - headerLength;
        byte[] overlap = ByteBuffer.allocate(8 + movedBytes.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(movedBytes.length).put(movedBytes).put(good, 8 + headerLength, dataBytes).array();

        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {"truncated.pt", Arrays.copyOf(good, good.length - 100), "checksum mismatch (truncated or corrupt file)"});
        cases.add(new Object[] {"flipped.pt", flipped, "checksum mismatch (truncated or corrupt file)"});
        cases.add(new Object[] {"past-end.pt", pastEnd, "truncated or corrupt file (header length " + good.length + " runs past the end"});
        cases.add(new Object[] {"overlap.pt", resealed(overlap), "overlap"});
        for (Object[] c : cases) {
            Path file = Files.write(root.resolve((String) c[0]), (byte[]) c[1]);
            Path out = root.resolve(c[0] + ".onnx");
            CliRunner.Result r = CliRunner.run("export", "--checkpoint", file.toString(), "--out", out.toString());
            assertEquals(2, r.exitCode(), c[0] + "\n" + r);
            assertEquals(1, r.errLines().size(), r.toString());
            assertTrue(r.errLines().getFirst().contains("checkpoint " + file + ": ") && r.errLines().getFirst().contains((String) c[2]), r.toString());
            assertFalse(Files.exists(out), "no partial output");
        }
    }
}
