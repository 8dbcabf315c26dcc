package dev.superconv.bindings;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.io.AtomicFiles;
import dev.superconv.core.report.EpochMetrics;
import dev.superconv.core.report.MetricsLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Consumer;

/**
 * The files of a run directory ({@code runs/NAME/}): {@code config.json}, {@code metrics.jsonl},
 * {@code best.pt}, {@code last.pt}. Every write is atomic (temp + fsync + rename).
 *
 * The checkpoints are safetensors files ({@link Checkpoint}) under their old names, so every run
 * directory, command line and script that names them keeps working, and runs written before the
 * change still resume (their files are read in the earlier format). {@code best.pt} holds the model
 * only and loads with a strict {@code load_state_dict}; {@code last.pt} adds the optimizer's
 * {@code optim.*} momentum buffers in the same file, so one atomic write and one checksum cover the
 * model and the optimizer state of the same step.
 */
public record RunFiles(Path dir) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINES = new ObjectMapper();

    public Path config() {
        return dir.resolve("config.json");
    }

    public Path metrics() {
        return dir.resolve("metrics.jsonl");
    }

    public Path best() {
        return dir.resolve("best.pt");
    }

    public Path last() {
        return dir.resolve("last.pt");
    }

    /** The last.pt before the newest one: the fallback when last.pt is torn or missing. */
    public Path lastPrevious() {
        return dir.resolve("last.pt.prev");
    }

    /** Writes last.pt, first keeping the current one as last.pt.prev. */
    public void writeLast(Checkpoint checkpoint) {
        try {
            if (Files.isRegularFile(last())) {
                Files.move(last(), lastPrevious(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep " + last() + " as " + lastPrevious() + ": " + e.getMessage(), e);
        }
        checkpoint.write(last());
    }

    /** last.pt, or last.pt.prev (with a message) when last.pt is missing or fails its checksum. */
    public Checkpoint readLast(Consumer<String> log) {
        try {
            return Checkpoint.read(last());
        } catch (BadInputException e) {
            if (!Files.isRegularFile(lastPrevious())) {
                throw e;
            }
            Checkpoint previous = Checkpoint.read(lastPrevious());
            log.accept(e.getMessage() + "; resuming from the previous good one, " + lastPrevious());
            return previous;
        }
    }

    /** A fresh run must not overwrite a previous one; a resumed run needs its last.pt (or last.pt.prev). */
    public void checkStart(boolean resume) {
        if (resume) {
            if (!Files.isRegularFile(last()) && !Files.isRegularFile(lastPrevious())) {
                throw new BadInputException("--resume: " + last() + " does not exist (nothing to resume)");
            }
        } else if (Files.exists(last()) || Files.exists(metrics())) {
            throw new BadInputException(dir + " already holds a training run; use --resume to continue it or choose another --name/--out");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory " + dir + ": " + e.getMessage(), e);
        }
    }

    public void writeConfig(ObjectNode config) {
        try {
            AtomicFiles.writeString(config(), JSON.writeValueAsString(config) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rewrites metrics.jsonl with exactly these epochs (so a resumed run never duplicates a line). */
    public void writeMetrics(List<EpochMetrics> epochs) {
        StringBuilder text = new StringBuilder();
        for (EpochMetrics m : epochs) {
            try {
                text.append(LINES.writeValueAsString(m)).append('\n');
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        AtomicFiles.writeString(metrics(), text.toString());
    }

    /** The --data value a run was started with (config.json's "data"); empty when not recorded. */
    public String readDataSpec() {
        try {
            return JSON.readTree(config().toFile()).path("data").asText("");
        } catch (IOException e) {
            return "";
        }
    }

    /** The configuration a run was started with (config.json's "train"), for --resume. */
    public dev.superconv.core.recipe.TrainConfig readTrainConfig() {
        try {
            return dev.superconv.core.recipe.RecipeFiles.read(JSON.readTree(config().toFile()).path("train"));
        } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException e) {
            throw new BadInputException(config() + ": no such file (not a training run directory?)");
        } catch (IOException e) {
            throw new BadInputException(config() + ": unreadable (" + e.getMessage() + ")");
        }
    }

    public List<EpochMetrics> readMetrics() {
        return Files.exists(metrics()) ? MetricsLog.read(metrics()) : List.of();
    }
}
