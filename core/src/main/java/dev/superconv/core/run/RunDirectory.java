package dev.superconv.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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
 * A run directory ({@code runs/NAME/}) and every file in it: the one place that names them.
 * {@code config.json} (the run's settings), {@code metrics.jsonl} (one line per finished epoch),
 * {@code best.pt} / {@code last.pt} / {@code last.pt.prev} (checkpoints), {@code predictions.csv},
 * {@code report.html}, and for {@code superconv run} {@code model.onnx}, {@code model-uint8.onnx}
 * and {@code summary.json}; {@code .lock} while a process trains in it. Every write is atomic.
 *
 * The checkpoints are safetensors files ({@link Checkpoint}) under their old names, so every run
 * directory, command line and script that names them keeps working, and runs written before the
 * change still resume (their files are read in the earlier format). {@code best.pt} holds the model
 * only and loads with a strict {@code load_state_dict}; {@code last.pt} adds the optimizer's
 * {@code optim.*} momentum buffers in the same file, so one atomic write and one checksum cover the
 * model and the optimizer state of the same step.
 */
public record RunDirectory(Path dir) {
    static final String LOCK = ".lock";
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

    public Path predictions() {
        return dir.resolve("predictions.csv");
    }

    /** The report's figures (PNG files). */
    public Path plots() {
        return dir.resolve("plots");
    }

    public Path report() {
        return dir.resolve("report.html");
    }

    /** The fp32, float-input ONNX export of best.pt that {@code superconv run} writes. */
    public Path model() {
        return dir.resolve("model.onnx");
    }

    /** The uint8-NHWC (raw pixel) input ONNX export of best.pt that {@code superconv run} writes. */
    public Path modelUint8() {
        return dir.resolve("model-uint8.onnx");
    }

    public Path summary() {
        return dir.resolve("summary.json");
    }

    /** The files a finished {@code superconv train} leaves, for its closing line. */
    public String trainingFileNames() {
        return String.join(", ", List.of(best(), last(), metrics(), config(), report()).stream().map(p -> p.getFileName().toString()).toList());
    }

    /** Takes the run's {@code .lock} for this process (refused while another live process holds it). */
    public RunLock lock(Consumer<String> log) {
        return RunLock.acquire(dir, log);
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

    public void writeConfig(JsonNode config) {
        writeJson(config(), config);
    }

    public void writeSummary(JsonNode summary) {
        writeJson(summary(), summary);
    }

    private static void writeJson(Path file, JsonNode json) {
        try {
            AtomicFiles.writeString(file, JSON.writeValueAsString(json) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** config.json as a JSON object; a clear error when it is missing, not JSON or not an object. */
    public JsonNode readConfig() {
        Path file = config();
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + ": no such file (not a training run directory?)");
        }
        JsonNode config;
        try {
            config = JSON.readTree(file.toFile());
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new BadInputException(file + ": not valid JSON (" + why + ")");
        }
        if (config == null || !config.isObject()) {
            throw new BadInputException(file + ": not a JSON object");
        }
        return config;
    }

    /** The trainer's settings the run was started with (config.json's "train"), for --resume. */
    public JsonNode readTrainSettings() {
        return readConfig().path("train");
    }

    /** The recipe a run was started with (config.json's "train", either layout superconv has written), for --resume. */
    public dev.superconv.core.recipe.TrainConfig readTrainConfig() {
        return dev.superconv.core.recipe.RecipeFiles.read(readTrainSettings());
    }

    /** The --data value a run was started with (config.json's "data"); empty when not recorded. */
    public String readDataSpec() {
        try {
            return JSON.readTree(config().toFile()).path("data").asText("");
        } catch (IOException e) {
            return "";
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

    /** The finished epochs; empty when no metrics.jsonl exists yet. */
    public List<EpochMetrics> readMetrics() {
        return Files.exists(metrics()) ? MetricsLog.read(metrics()) : List.of();
    }
}
