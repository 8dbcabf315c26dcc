package dev.superconv.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.superconv.core.BadInputException;
import dev.superconv.core.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a training run directory records: {@code config.json} (every setting of the run, written by
 * {@code superconv train}) and {@code metrics.jsonl} (one line per finished epoch).
 */
public record RunRecord(Path dir, JsonNode config, List<EpochMetrics> epochs) {
    public RunRecord {
        epochs = List.copyOf(epochs);
        if (epochs.isEmpty()) {
            throw new BadInputException(new RunDirectory(dir).metrics() + ": no finished epoch recorded");
        }
    }

    public static RunRecord load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": " + (Files.exists(dir) ? "not a directory" : "no such run directory"));
        }
        RunDirectory files = new RunDirectory(dir);
        return new RunRecord(dir, files.readConfig(), MetricsLog.read(files.metrics()));
    }

    /**
     * A setting of the run: a top-level field of config.json, or else one of its {@code train}
     * object (where the trainer keeps its hyperparameters); a missing node when neither has it.
     */
    public JsonNode setting(String key) {
        JsonNode top = config.path(key);
        return top.isMissingNode() || top.isNull() ? config.path("train").path(key) : top;
    }

    public String name() {
        JsonNode n = setting("name");
        return n != null && n.isTextual() ? n.asText() : dir.toAbsolutePath().normalize().getFileName().toString();
    }

    public EpochMetrics last() {
        return epochs.getLast();
    }

    /** The epoch with the highest test accuracy (the first of equals, as best.pt keeps it). */
    public EpochMetrics best() {
        EpochMetrics best = epochs.getFirst();
        for (EpochMetrics e : epochs) {
            if (e.testAcc() > best.testAcc()) {
                best = e;
            }
        }
        return best;
    }

    public double trainSeconds() {
        double s = 0;
        for (EpochMetrics e : epochs) {
            s += e.trainSeconds();
        }
        return s;
    }

    /** The command line that started the run, as recorded in config.json ({@code command}: string or list of words). */
    public String command() {
        JsonNode c = setting("command");
        if (c.isMissingNode() || c.isNull()) {
            return "";
        }
        if (c.isArray()) {
            List<String> words = new ArrayList<>();
            c.forEach(w -> words.add(shellQuote(w.asText())));
            return String.join(" ", words);
        }
        return c.asText();
    }

    /** Class names from config.json ({@code classes}), empty when the trainer did not record them. */
    public List<String> classes() {
        JsonNode c = setting("classes");
        List<String> names = new ArrayList<>();
        if (c.isArray()) {
            c.forEach(w -> names.add(w.asText()));
        }
        return names;
    }

    static String shellQuote(String word) {
        if (!word.isEmpty() && word.matches("[A-Za-z0-9_./=:,+@%-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
