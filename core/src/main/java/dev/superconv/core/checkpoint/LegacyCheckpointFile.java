package dev.superconv.core.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Reads superconv's checkpoint format from before safetensors, so runs trained by earlier
 * versions still resume and export. Nothing writes it any more.
 *
 * <pre>
 * "SCCKPT01"                      8 bytes magic
 * header length                   int32 LE
 * header                          UTF-8 JSON: {"meta": {...}, "tensors": [{"name", "shape"}...]}
 * tensor data                     float32 LE, in header order, contiguous
 * CRC32C of all bytes above       int64 LE
 * </pre>
 */
final class LegacyCheckpointFile {
    private static final byte[] MAGIC = "SCCKPT01".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    private LegacyCheckpointFile() {}

    static boolean matches(byte[] bytes) {
        return bytes.length >= MAGIC.length && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** @param what "checkpoint FILE: ", the start of every message */
    static Checkpoint read(byte[] bytes, String what) {
        if (bytes.length < MAGIC.length + 12) {
            throw new BadInputException(what + "checksum mismatch (truncated or corrupt file)");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 8);
        if (crc.getValue() != in.getLong(bytes.length - 8)) {
            throw new BadInputException(what + "checksum mismatch (truncated or corrupt file)");
        }
        in.position(MAGIC.length);
        int headerLength = in.getInt();
        if (headerLength <= 0 || headerLength > bytes.length - in.position() - 8) {
            throw new BadInputException(what + "bad header length");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, in.position(), headerLength, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new BadInputException(what + "unreadable header");
        }
        in.position(in.position() + headerLength);
        Map<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>();
        for (JsonNode t : header.path("tensors")) {
            long[] shape = new long[t.path("shape").size()];
            long n = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.path("shape").get(i).asLong();
                n *= shape[i];
            }
            if (n < 0 || n * 4 > in.remaining() - 8) {
                throw new BadInputException(what + "tensor " + t.path("name").asText() + " runs past the end of the file");
            }
            float[] data = new float[(int) n];
            in.asFloatBuffer().get(data);
            in.position(in.position() + (int) n * 4);
            tensors.put(t.path("name").asText(), new Checkpoint.Tensor(shape, data));
        }
        if (in.remaining() != 8) {
            throw new BadInputException(what + "unexpected trailing bytes");
        }
        JsonNode meta = header.path("meta");
        return new Checkpoint(meta.isObject() ? (ObjectNode) meta : Checkpoint.newMeta(), tensors);
    }
}
