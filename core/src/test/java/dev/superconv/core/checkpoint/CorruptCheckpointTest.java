package dev.superconv.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Torn, altered and malformed checkpoint files: each is refused with one line naming the file. */
class CorruptCheckpointTest {
    @TempDir Path tmp;

    /** Writes {@code bytes} to {@code file} and returns the one-line message reading it gives. */
    static String failure(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BadInputException e = assertThrows(BadInputException.class, () -> Checkpoint.read(file));
        assertTrue(e.getMessage().startsWith("checkpoint " + file + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private byte[] good() throws IOException {
        Path file = tmp.resolve("good.pt");
        CheckpointFormatTest.sample().write(file);
        return Files.readAllBytes(file);
    }

    private static int dataStart(byte[] file) {
        return 8 + (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    @Test
    void aTruncatedFileIsRefused() throws IOException {
        byte[] good = good();
        Path file = tmp.resolve("torn.pt");
        int data = dataStart(good);
        for (int keep : new int[] {good.length - 1, good.length - 13, data + 3, data}) {
            assertEquals("checkpoint " + file + ": checksum mismatch (truncated or corrupt file)", failure(file, Arrays.copyOf(good, keep)), "kept " + keep);
        }
        for (int keep : new int[] {data - 1, 40, 9}) {
            assertEquals("checkpoint " + file + ": truncated or corrupt file (header length " + (data - 8) + " runs past the end of the file, " + keep + " bytes)",
                    failure(file, Arrays.copyOf(good, keep)), "kept " + keep);
        }
        for (int keep : new int[] {8, 3, 0}) {
            assertTrue(failure(file, Arrays.copyOf(good, keep)).contains("not a superconv checkpoint"), "kept " + keep);
        }
    }

    /** The checksum covers every byte: no single flipped bit anywhere in the file goes unnoticed. */
    @Test
    void everyFlippedBitIsRefused() throws IOException {
        byte[] good = good();
        Path file = tmp.resolve("flipped.pt");
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= (byte) (1 << (i % 8));
            failure(file, bad);
        }
        byte[] data = good.clone();
        data[data.length - 20] ^= 0x10;
        assertEquals("checkpoint " + file + ": checksum mismatch (truncated or corrupt file)", failure(file, data));
    }

    @Test
    void aHeaderLengthPastTheEndIsRefused() throws IOException {
        byte[] bad = good();
        Path file = tmp.resolve("long.pt");
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putLong(0, bad.length);
        assertEquals("checkpoint " + file + ": truncated or corrupt file (header length " + bad.length + " runs past the end of the file, " + bad.length + " bytes)",
                failure(file, bad));
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1);
        assertTrue(failure(file, bad).contains("header length 18446744073709551615 runs past the end"));
    }

    /** A file in the safetensors layout with a correct superconv.crc32c, so the structure checks are reached. */
    static byte[] superconvFile(String tensorsJson, int dataBytes, String metadataExtra) {
        String header = "{\"__metadata__\":{\"format\":\"pt\",\"superconv.meta\":\"{}\"" + metadataExtra + ",\"superconv.crc32c\":\"00000000\"}"
                + (tensorsJson.isEmpty() ? "" : "," + tensorsJson) + "}";
        byte[] json = (header + " ".repeat((8 - header.length() % 8) % 8)).getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json);
        for (int i = 0; i < dataBytes / 4; i++) {
            out.putFloat(i);
        }
        byte[] file = out.array();
        String crc = CheckpointFormatTest.expectedCrc(file, "00000000");
        String patched = new String(file, StandardCharsets.ISO_8859_1).replace("\"superconv.crc32c\":\"00000000\"", "\"superconv.crc32c\":\"" + crc + "\"");
        return patched.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String tensor(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    @Test
    void theCraftedFileItselfReads() {
        Path file = tmp.resolve("crafted.pt");
        byte[] ok = superconvFile(tensor("a", "F32", "[2,2]", 0, 16) + "," + tensor("b", "F32", "[2]", 16, 24), 24, "");
        try {
            Files.write(file, ok);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Checkpoint c = Checkpoint.read(file);
        assertEquals(2, c.tensors().size());
        assertEquals(5f, c.tensor("b").data()[1]);
    }

    @Test
    void malformedTensorTablesAreRefused() {
        Path file = tmp.resolve("bad.pt");
        String what = "checkpoint " + file + ": ";
        assertEquals(what + "tensors a and b overlap (b starts at byte 8 of the data, a ends at 16)",
                failure(file, superconvFile(tensor("a", "F32", "[4]", 0, 16) + "," + tensor("b", "F32", "[4]", 8, 24), 24, "")));
        assertEquals(what + "a gap of 8 bytes in the data before tensor b (it starts at byte 16, the one before ends at 8)",
                failure(file, superconvFile(tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[2]", 16, 24), 24, "")));
        assertEquals(what + "a gap of 4 bytes in the data before tensor a (it starts at byte 4, the one before ends at 0)",
                failure(file, superconvFile(tensor("a", "F32", "[2]", 4, 12), 12, "")));
        assertEquals(what + "the tensors cover 16 bytes of data but the file holds 20",
                failure(file, superconvFile(tensor("a", "F32", "[4]", 0, 16), 20, "")));
        assertEquals(what + "tensor a: data_offsets [0, 16] do not hold a float32 tensor of shape [3]",
                failure(file, superconvFile(tensor("a", "F32", "[3]", 0, 16), 16, "")));
        assertEquals(what + "tensor a: dtype \"F16\", superconv checkpoints hold F32 only",
                failure(file, superconvFile(tensor("a", "F16", "[4]", 0, 8), 8, "")));
        assertEquals(what + "tensor a: shape must hold non-negative integers, got [2,-2]",
                failure(file, superconvFile(tensor("a", "F32", "[2,-2]", 0, 16), 16, "")));
        assertEquals(what + "tensor a: shape must hold non-negative integers, got [2.5]",
                failure(file, superconvFile(tensor("a", "F32", "[2.5]", 0, 8), 8, "")));
        assertTrue(failure(file, superconvFile(tensor("a", "F32", "[2]", 0, 8) + "," + tensor("a", "F32", "[2]", 8, 16), 16, ""))
                .contains("Duplicate field 'a'"), "the spec allows no duplicate names");
        assertEquals(what + "__metadata__.epochs is not a string (safetensors metadata maps strings to strings)",
                failure(file, superconvFile("", 0, ",\"epochs\":3")));
    }

    @Test
    void safetensorsWithoutSuperconvMetadataIsNotACheckpoint() {
        Path file = tmp.resolve("plain.safetensors");
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        byte[] json = (header + " ".repeat((8 - header.length() % 8) % 8)).getBytes(StandardCharsets.UTF_8);
        byte[] bytes = ByteBuffer.allocate(8 + json.length + 4).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).put(json).putFloat(1).array();
        assertEquals("checkpoint " + file + ": not a superconv checkpoint (a safetensors file without superconv.meta and superconv.crc32c metadata)",
                failure(file, bytes));
        assertTrue(failure(file, "{\"not\": \"a checkpoint\"}".getBytes(StandardCharsets.UTF_8)).contains("not a superconv checkpoint"));
    }
}
