package dev.superconv.core.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import dev.superconv.core.io.AtomicFiles;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * superconv's checkpoint file ({@code best.pt}, {@code last.pt}): a JSON header and named float32
 * tensors, readable from pure Java (the exporter never needs libtorch) and checksummed so a torn
 * write is detected.
 *
 * <pre>
 * "SCCKPT01"                      8 bytes magic
 * header length                   int32 LE
 * header                          UTF-8 JSON: {"meta": {...}, "tensors": [{"name", "shape"}...]}
 * tensor data                     float32 LE, in header order, contiguous
 * CRC32C of all bytes above       int64 LE
 * </pre>
 *
 * {@code meta} carries the model spec (width, logit_scale, classes), normalisation, training
 * position and whatever the trainer needs to resume. Tensor names follow {@code ModelSpec} for
 * the model state; optimizer state uses the prefix {@code optim.}.
 */
public record Checkpoint(ObjectNode meta, Map<String, Tensor> tensors) {
    private static final byte[] MAGIC = "SCCKPT01".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A dense float32 tensor, row-major. */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not match " + data.length + " values");
            }
        }
    }

    public Checkpoint {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    public static ObjectNode newMeta() {
        return JSON.createObjectNode();
    }

    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new BadInputException("checkpoint has no tensor '" + name + "'");
        }
        return t;
    }

    public void write(Path file) {
        ObjectNode header = JSON.createObjectNode();
        header.set("meta", meta);
        ArrayNode list = header.putArray("tensors");
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = list.addObject();
            t.put("name", e.getKey());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
        }
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, raw -> {
            CRC32C crc = new CRC32C();
            java.util.zip.CheckedOutputStream checked = new java.util.zip.CheckedOutputStream(raw, crc);
            DataOutputStream out = new DataOutputStream(checked);
            out.write(MAGIC);
            out.write(le(4).putInt(headerBytes.length).array());
            out.write(headerBytes);
            ByteBuffer buf = le(1 << 16);
            for (Tensor t : tensors.values()) {
                for (float v : t.data()) {
                    if (!buf.hasRemaining()) {
                        out.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    buf.putFloat(v);
                }
            }
            out.write(buf.array(), 0, buf.position());
            out.flush();
            raw.write(le(8).putLong(crc.getValue()).array());
        });
    }

    /** Reads and verifies a checkpoint; any defect is a {@link BadInputException} naming the file. */
    public static Checkpoint read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException("checkpoint " + file + ": no such file");
        } catch (IOException e) {
            throw new BadInputException("checkpoint " + file + ": cannot read (" + e.getMessage() + ")");
        }
        String what = "checkpoint " + file + ": ";
        if (bytes.length < MAGIC.length + 12 || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new BadInputException(what + "not a superconv checkpoint");
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
        Map<String, Tensor> tensors = new LinkedHashMap<>();
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
            tensors.put(t.path("name").asText(), new Tensor(shape, data));
        }
        if (in.remaining() != 8) {
            throw new BadInputException(what + "unexpected trailing bytes");
        }
        JsonNode meta = header.path("meta");
        return new Checkpoint(meta.isObject() ? (ObjectNode) meta : newMeta(), tensors);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
