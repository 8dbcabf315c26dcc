package dev.superconv.core.checkpoint;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import dev.superconv.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A checkpoint in Hugging Face's safetensors layout, so Python's {@code safetensors.torch.load_file}
 * reads it as it is:
 *
 * <pre>
 * N                  uint64 LE, the header's length in bytes (a multiple of 8)
 * header             N bytes of UTF-8 JSON, padded with spaces:
 *                    {"__metadata__": {"format": "pt", "superconv.meta": "{...}", "superconv.crc32c": "xxxxxxxx"},
 *                     "NAME": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...}
 * data               float32 LE, C order; offsets relative to the data's start, contiguous from 0
 * </pre>
 *
 * {@code superconv.meta} is the checkpoint's meta object as JSON text (safetensors metadata maps
 * strings to strings). {@code superconv.crc32c} is the CRC32C of the whole file computed with its
 * own 8 hex digits written as {@code 00000000}: it covers tensor names, shapes and the meta as
 * well as the data, so a torn or altered file is detected even where its structure still holds.
 */
final class SafetensorsFile {
    static final String META_KEY = "superconv.meta";
    static final String CRC_KEY = "superconv.crc32c";
    private static final String METADATA = "__metadata__";
    /** The reference implementation refuses larger headers. */
    private static final long MAX_HEADER = 100_000_000;
    private static final byte[] CRC_PLACEHOLDER = "00000000".getBytes(StandardCharsets.US_ASCII);
    /** How Jackson writes the checksum entry (compact, no spaces), up to its digits. */
    private static final byte[] CRC_ENTRY_HEAD = ("\"" + CRC_KEY + "\":\"").getBytes(StandardCharsets.US_ASCII);
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION) // the spec allows no duplicate names
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private SafetensorsFile() {}

    /** Safetensors starts with the header length, then the JSON object's brace. */
    static boolean matches(byte[] bytes) {
        return bytes.length > 8 && bytes[8] == '{';
    }

    static void write(Checkpoint checkpoint, Path file) {
        byte[] prefix = prefix(checkpoint);
        int crcAt = indexOf(prefix, prefix.length, crcEntry(CRC_PLACEHOLDER)) + CRC_ENTRY_HEAD.length;
        CRC32C crc = new CRC32C();
        crc.update(prefix);
        try {
            forEachDataChunk(checkpoint, crc::update);
        } catch (IOException e) {
            throw new IllegalStateException("a checksum pass cannot fail", e);
        }
        byte[] hex = HexFormat.of().toHexDigits((int) crc.getValue()).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(hex, 0, prefix, crcAt, hex.length);
        AtomicFiles.write(file, out -> {
            out.write(prefix);
            forEachDataChunk(checkpoint, chunk -> out.write(chunk.array(), 0, chunk.limit()));
        });
    }

    /** The 8-byte header length and the padded header, with the CRC placeholder. */
    private static byte[] prefix(Checkpoint checkpoint) {
        ObjectNode header = JSON.createObjectNode();
        ObjectNode metadata = header.putObject(METADATA);
        metadata.put("format", "pt"); // what transformers' loaders expect of a PyTorch file
        metadata.put(META_KEY, checkpoint.meta().toString());
        metadata.put(CRC_KEY, new String(CRC_PLACEHOLDER, StandardCharsets.US_ASCII));
        long offset = 0;
        for (Map.Entry<String, Checkpoint.Tensor> e : checkpoint.tensors().entrySet()) {
            if (e.getKey().equals(METADATA)) {
                throw new IllegalArgumentException("a tensor cannot be named " + METADATA);
            }
            ObjectNode info = header.putObject(e.getKey());
            info.put("dtype", "F32");
            ArrayNode shape = info.putArray("shape");
            Arrays.stream(e.getValue().shape()).forEach(shape::add);
            long end = offset + 4L * e.getValue().data().length;
            info.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8; // aligns the data for zero-copy readers, as the reference writer does
        byte[] prefix = new byte[8 + padded];
        ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).put(json);
        Arrays.fill(prefix, 8 + json.length, prefix.length, (byte) ' ');
        return prefix;
    }

    @FunctionalInterface
    private interface ChunkSink {
        void accept(ByteBuffer chunk) throws IOException;
    }

    /** Every tensor's float32 values, little-endian, in map order, in chunks of 64 KiB. */
    private static void forEachDataChunk(Checkpoint checkpoint, ChunkSink sink) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = bytes.asFloatBuffer();
        for (Checkpoint.Tensor t : checkpoint.tensors().values()) {
            float[] data = t.data();
            for (int i = 0; i < data.length; ) {
                int n = Math.min(floats.remaining(), data.length - i);
                floats.put(data, i, n);
                i += n;
                if (!floats.hasRemaining()) {
                    sink.accept(bytes.limit(floats.position() * 4));
                    bytes.clear();
                    floats.clear();
                }
            }
        }
        sink.accept(bytes.limit(floats.position() * 4));
    }

    private record Entry(String name, long[] shape, long begin, long end) {}

    /** @param what "checkpoint FILE: ", the start of every message */
    static Checkpoint read(byte[] bytes, String what) {
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (n < 0 || n > bytes.length - 8) {
            throw new BadInputException(what + "truncated or corrupt file (header length " + Long.toUnsignedString(n)
                    + " runs past the end of the file, " + bytes.length + " bytes)");
        }
        if (n > MAX_HEADER) {
            throw new BadInputException(what + "header of " + n + " bytes is over safetensors' limit of " + MAX_HEADER);
        }
        int dataStart = 8 + (int) n;
        JsonNode header;
        try {
            header = JSON.readTree(bytes, 8, (int) n);
        } catch (IOException e) {
            throw new BadInputException(what + "unreadable safetensors header, truncated or corrupt file (" + firstLine(e) + ")");
        }
        if (header == null || !header.isObject()) {
            throw new BadInputException(what + "the safetensors header is not a JSON object");
        }
        Map<String, String> metadata = metadata(header.get(METADATA), what);
        if (!metadata.containsKey(META_KEY) || !metadata.containsKey(CRC_KEY)) {
            throw new BadInputException(what + "not a superconv checkpoint (a safetensors file without " + META_KEY + " and " + CRC_KEY + " metadata)");
        }
        checkCrc(bytes, dataStart, metadata.get(CRC_KEY), what);
        Map<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : contiguous(entries(header, what), bytes.length - dataStart, what)) {
            float[] data = new float[(int) ((e.end() - e.begin()) / 4)];
            ByteBuffer.wrap(bytes, dataStart + (int) e.begin(), data.length * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
            tensors.put(e.name(), new Checkpoint.Tensor(e.shape(), data));
        }
        return new Checkpoint(meta(metadata.get(META_KEY), what), tensors);
    }

    private static Map<String, String> metadata(JsonNode node, String what) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null) {
            return out;
        }
        if (!node.isObject()) {
            throw new BadInputException(what + METADATA + " is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new BadInputException(what + METADATA + "." + e.getKey() + " is not a string (safetensors metadata maps strings to strings)");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    private static void checkCrc(byte[] bytes, int dataStart, String stored, String what) {
        int at = stored.matches("[0-9a-f]{8}") ? indexOf(bytes, dataStart, crcEntry(stored.getBytes(StandardCharsets.US_ASCII))) : -1;
        if (at < 0) {
            throw new BadInputException(what + "checksum mismatch (corrupt header: no " + CRC_KEY + " as superconv writes it)");
        }
        int digitsAt = at + CRC_ENTRY_HEAD.length;
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, digitsAt);
        crc.update(CRC_PLACEHOLDER);
        crc.update(bytes, digitsAt + 8, bytes.length - digitsAt - 8);
        if (!HexFormat.of().toHexDigits((int) crc.getValue()).equals(stored)) {
            throw new BadInputException(what + "checksum mismatch (truncated or corrupt file)");
        }
    }

    private static List<Entry> entries(JsonNode header, String what) {
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            String name = e.getKey();
            JsonNode info = e.getValue();
            if (name.equals(METADATA)) {
                continue;
            }
            String tensor = what + "tensor " + name + ": ";
            if (!info.isObject()) {
                throw new BadInputException(tensor + "not a {dtype, shape, data_offsets} object");
            }
            if (!info.path("dtype").asText("").equals("F32")) {
                throw new BadInputException(tensor + "dtype " + info.path("dtype") + ", superconv checkpoints hold F32 only");
            }
            long[] shape = naturals(info.path("shape"), -1, tensor + "shape");
            long[] offsets = naturals(info.path("data_offsets"), 2, tensor + "data_offsets");
            long bytes;
            try {
                bytes = Arrays.stream(shape).reduce(4, Math::multiplyExact);
            } catch (ArithmeticException overflow) {
                bytes = -1;
            }
            if (offsets[1] - offsets[0] != bytes) {
                throw new BadInputException(tensor + "data_offsets " + Arrays.toString(offsets) + " do not hold a float32 tensor of shape " + Arrays.toString(shape));
            }
            out.add(new Entry(name, shape, offsets[0], offsets[1]));
        }
        return out;
    }

    /** Non-negative integers; {@code size} of them unless it is -1. */
    private static long[] naturals(JsonNode node, int size, String what) {
        if (!node.isArray() || (size >= 0 && node.size() != size)) {
            throw new BadInputException(what + " must be an array" + (size >= 0 ? " of " + size + " integers" : " of integers"));
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new BadInputException(what + " must hold non-negative integers, got " + node);
            }
            out[i] = v.longValue();
        }
        return out;
    }

    /** The entries in data order, checked to tile the data section exactly (no gap, no overlap). */
    private static List<Entry> contiguous(List<Entry> entries, long dataBytes, String what) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        String previous = "";
        for (Entry e : sorted) {
            if (e.begin() < expected) {
                throw new BadInputException(what + "tensors " + previous + " and " + e.name() + " overlap (" + e.name() + " starts at byte "
                        + e.begin() + " of the data, " + previous + " ends at " + expected + ")");
            }
            if (e.begin() > expected) {
                throw new BadInputException(what + "a gap of " + (e.begin() - expected) + " bytes in the data before tensor " + e.name()
                        + " (it starts at byte " + e.begin() + ", the one before ends at " + expected + ")");
            }
            expected = e.end();
            previous = e.name();
        }
        if (expected != dataBytes) {
            throw new BadInputException(what + "the tensors cover " + expected + " bytes of data but the file holds " + dataBytes);
        }
        return sorted;
    }

    private static ObjectNode meta(String json, String what) {
        try {
            JsonNode meta = JSON.readTree(json);
            if (meta instanceof ObjectNode o) {
                return o;
            }
        } catch (IOException e) {
            // reported below, as for any meta that is not an object
        }
        throw new BadInputException(what + META_KEY + " is not a JSON object");
    }

    /** {@code "superconv.crc32c":"DIGITS"}: only the metadata entry has this form (quotes inside strings are escaped). */
    private static byte[] crcEntry(byte[] digits) {
        byte[] out = Arrays.copyOf(CRC_ENTRY_HEAD, CRC_ENTRY_HEAD.length + digits.length + 1);
        System.arraycopy(digits, 0, out, CRC_ENTRY_HEAD.length, digits.length);
        out[out.length - 1] = '"';
        return out;
    }

    /** The first index of {@code needle} in {@code haystack[0, end)}, or -1. */
    private static int indexOf(byte[] haystack, int end, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= end; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String firstLine(IOException e) {
        String m = e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
