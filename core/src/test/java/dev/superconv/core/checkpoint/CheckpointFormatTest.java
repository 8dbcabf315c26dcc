package dev.superconv.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint is a safetensors file: checked here with a reader written from the format's
 * specification (huggingface/safetensors README and reference implementation), not with
 * superconv's own reader, and against a file in superconv's earlier format.
 */
class CheckpointFormatTest {
    private static final JsonMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    @TempDir Path tmp;

    static Checkpoint sample() {
        ObjectNode meta = Checkpoint.newMeta();
        meta.put("width", 0.0625).put("logit_scale", 0.125);
        meta.putArray("classes").add("cat").add("dog").add("naïve \"quoted\" class");
        meta.putObject("training").put("epochs_done", 3).put("global_step", 48L).putObject("config").put("seed", 7);
        Map<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("prep.conv.weight", tensor(new long[] {4, 3, 3, 3}, 1));
        tensors.put("prep.bn.weight", new Checkpoint.Tensor(new long[] {4}, new float[] {-0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN}));
        tensors.put("prep.bn.running_var", tensor(new long[] {4}, 2));
        tensors.put("fc.weight", tensor(new long[] {2, 4}, 3));
        tensors.put("optim.fc.weight.momentum_buffer", tensor(new long[] {2, 4}, 4));
        return new Checkpoint(meta, tensors);
    }

    private static Checkpoint.Tensor tensor(long[] shape, int seed) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(seed * 1000 + i) * 3;
        }
        return new Checkpoint.Tensor(shape, v);
    }

    /** What the spec says a reader may rely on, checked step by step. */
    record SpecTensor(String name, long[] shape, float[] values) {}

    static List<SpecTensor> readBySpec(byte[] file) throws Exception {
        ByteBuffer le = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long n = le.getLong(0); // 8 bytes: unsigned little-endian header length
        assertTrue(n > 0 && 8 + n <= file.length, "header length " + n);
        assertEquals(0, n % 8, "header padded to a multiple of 8 (data aligned)");
        String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{"), "header starts with {");
        assertTrue(header.stripTrailing().endsWith("}") && header.substring(header.stripTrailing().length()).isBlank(), "padding is spaces");
        JsonNode root = JSON.readTree(header);
        JsonNode metadata = root.get("__metadata__");
        assertTrue(metadata.isObject());
        metadata.properties().forEach(e -> assertTrue(e.getValue().isTextual(), "__metadata__ maps strings to strings: " + e.getKey()));
        long dataStart = 8 + n;
        List<long[]> ranges = new ArrayList<>();
        List<SpecTensor> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode info = e.getValue();
            assertEquals("F32", info.get("dtype").asText(), e.getKey());
            long[] shape = new long[info.get("shape").size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = info.get("shape").get(i).longValue();
                count *= shape[i];
            }
            long begin = info.get("data_offsets").get(0).longValue();
            long end = info.get("data_offsets").get(1).longValue();
            assertEquals(count * 4, end - begin, e.getKey() + ": size = product(shape) * 4");
            assertTrue(begin >= 0 && dataStart + end <= file.length, e.getKey() + " in range");
            ranges.add(new long[] {begin, end});
            float[] values = new float[(int) count];
            ByteBuffer.wrap(file, (int) (dataStart + begin), (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            out.add(new SpecTensor(e.getKey(), shape, values));
        }
        ranges.sort(Comparator.comparingLong(r -> r[0]));
        long at = 0;
        for (long[] r : ranges) {
            assertEquals(at, r[0], "contiguous, no gap or overlap");
            at = r[1];
        }
        assertEquals(file.length - dataStart, at, "the offsets cover the data section exactly");
        return out;
    }

    /** The rule of superconv.crc32c: CRC32C of the file with its own digits read as 00000000. */
    static String expectedCrc(byte[] file, String digits) {
        byte[] copy = file.clone();
        byte[] entry = ("\"superconv.crc32c\":\"" + digits + "\"").getBytes(StandardCharsets.US_ASCII);
        int at = new String(copy, StandardCharsets.ISO_8859_1).indexOf(new String(entry, StandardCharsets.ISO_8859_1));
        assertTrue(at > 0, "checksum entry present");
        for (int i = 0; i < 8; i++) {
            copy[at + entry.length - 9 + i] = '0';
        }
        CRC32C crc = new CRC32C();
        crc.update(copy);
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }

    @Test
    void aWrittenCheckpointIsSafetensorsByTheSpec() throws Exception {
        Checkpoint c = sample();
        Path file = tmp.resolve("last.pt");
        c.write(file);
        byte[] bytes = Files.readAllBytes(file);
        List<SpecTensor> read = readBySpec(bytes);
        assertEquals(List.copyOf(c.tensors().keySet()), read.stream().map(SpecTensor::name).toList(), "state_dict names, in the model's order");
        for (SpecTensor t : read) {
            assertArrayEquals(c.tensor(t.name()).shape(), t.shape(), t.name());
            assertArrayEquals(c.tensor(t.name()).data(), t.values(), t.name()); // bit for bit, NaN and -0 included
        }
        JsonNode metadata = JSON.readTree(new String(bytes, 8, (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0), StandardCharsets.UTF_8))
                .get("__metadata__");
        assertEquals("pt", metadata.get("format").asText());
        assertEquals(c.meta().toString(), metadata.get("superconv.meta").asText(), "superconv's meta as one JSON string");
        String crc = metadata.get("superconv.crc32c").asText();
        assertTrue(crc.matches("[0-9a-f]{8}"), crc);
        assertEquals(expectedCrc(bytes, crc), crc);
    }

    @Test
    void readingBackGivesTheSameCheckpoint() {
        Checkpoint c = sample();
        Path file = tmp.resolve("best.pt");
        c.write(file);
        assertSame(c, Checkpoint.read(file));
    }

    @Test
    void anEmptyCheckpointIsValidToo() throws Exception {
        Path file = tmp.resolve("empty.pt");
        new Checkpoint(Checkpoint.newMeta(), Map.of()).write(file);
        assertEquals(List.of(), readBySpec(Files.readAllBytes(file)));
        assertEquals(Map.of(), Checkpoint.read(file).tensors());
    }

    /** legacy-scckpt01.pt was written by Checkpoint.write at commit 6678423, before safetensors. */
    @Test
    void theEarlierFormatStillReads() throws Exception {
        Path file = tmp.resolve("old.pt");
        try (InputStream in = getClass().getResourceAsStream("legacy-scckpt01.pt")) {
            Files.write(file, in.readAllBytes());
        }
        Checkpoint old = Checkpoint.read(file);
        assertEquals(JSON.readTree("{\"width\":0.0625,\"logit_scale\":0.125,\"classes\":[\"cat\",\"dog\"],"
                + "\"training\":{\"epochs_done\":3,\"global_step\":48,\"best_test_acc\":0.75}}"), old.meta());
        assertEquals(List.of("prep.conv.weight", "fc.weight", "optim.fc.weight.momentum_buffer"), List.copyOf(old.tensors().keySet()));
        assertArrayEquals(new long[] {2, 3}, old.tensor("prep.conv.weight").shape());
        assertArrayEquals(new float[] {-1.5f, 0f, 0.25f, Float.MAX_VALUE, Float.MIN_VALUE, -0f}, old.tensor("prep.conv.weight").data());
        assertArrayEquals(new float[] {1, 2, 3, 4}, old.tensor("fc.weight").data());
        assertArrayEquals(new float[] {0.5f, -0.5f, 1e-3f, 7f}, old.tensor("optim.fc.weight.momentum_buffer").data());

        Path rewritten = tmp.resolve("new.pt");
        old.write(rewritten); // a resumed run's next last.pt is safetensors
        readBySpec(Files.readAllBytes(rewritten));
        assertSame(old, Checkpoint.read(rewritten));

        byte[] flipped = Files.readAllBytes(file);
        flipped[flipped.length - 20] ^= 0x04;
        assertEquals("checkpoint " + file + ": checksum mismatch (truncated or corrupt file)", CorruptCheckpointTest.failure(file, flipped));
    }

    static void assertSame(Checkpoint expected, Checkpoint actual) {
        assertEquals(expected.meta().toString(), actual.meta().toString()); // as text: a long read back is an int node
        assertEquals(List.copyOf(expected.tensors().keySet()), List.copyOf(actual.tensors().keySet()));
        expected.tensors().forEach((name, t) -> {
            assertArrayEquals(t.shape(), actual.tensor(name).shape(), name);
            assertArrayEquals(t.data(), actual.tensor(name).data(), name);
        });
    }
}
