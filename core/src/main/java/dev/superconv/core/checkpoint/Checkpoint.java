package dev.superconv.core.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A checkpoint ({@code best.pt}, {@code last.pt}): named float32 tensors and a JSON meta object,
 * readable from pure Java (the exporter never needs libtorch) and checksummed so a torn write is
 * detected. Written as safetensors ({@link SafetensorsFile}), so Python loads it with
 * {@code safetensors.torch.load_file}; files in superconv's earlier format
 * ({@link LegacyCheckpointFile}) are still read, told apart by their first bytes.
 *
 * {@code meta} carries the model spec (width, logit_scale, classes), normalisation, training
 * position and whatever the trainer needs to resume. Tensor names are the PyTorch state_dict
 * names of {@code ModelSpec}; optimizer state uses the prefix {@code optim.}.
 */
public record Checkpoint(ObjectNode meta, Map<String, Tensor> tensors) {
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

    /** Writes the safetensors file atomically (temp file, fsync, rename). */
    public void write(Path file) {
        SafetensorsFile.write(this, file);
    }

    /** Reads and verifies a checkpoint in either format; any defect is a {@link BadInputException} naming the file. */
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
        if (LegacyCheckpointFile.matches(bytes)) {
            return LegacyCheckpointFile.read(bytes, what);
        }
        if (SafetensorsFile.matches(bytes)) {
            return SafetensorsFile.read(bytes, what);
        }
        throw new BadInputException(what + "not a superconv checkpoint (neither safetensors nor superconv's earlier format)");
    }
}
