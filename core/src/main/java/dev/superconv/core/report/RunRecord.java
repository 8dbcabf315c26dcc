package dev.superconv.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.superconv.core.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a training run directory records: {@code config.json} (every setting of the run, written by
 * {@code superconv train}) and {@code metrics.jsonl} (one line per finished epoch).
 */
public record RunRecord(Path dir, JsonNode config, List<EpochMetrics> epochs) {
    public static final String CONFIG = "config.json";
    public static final String METRICS = "metrics.jsonl";

    public RunRecord {
        epochs = List.copyOf(epochs);
        if (epochs.isEmpty()) {
            throw new BadInputException(dir.resolve(METRICS) + ": no finished epoch recorded");
        }
    }

    public static RunRecord load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": " + (Files.exists(dir) ? "not a directory" : "no such run directory"));
        }
        Path configFile = dir.resolve(CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new BadInputException(configFile + ": no such file (not a training run directory?)");
        }
        JsonNode config;
        try {
            config = new ObjectMapper().readTree(configFile.toFile());
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new BadInputException(configFile + ": not valid JSON (" + why + ")");
        }
        if (config == null || !config.isObject()) {
            throw new BadInputException(configFile + ": not a JSON object");
        }
        return new RunRecord(dir, config, MetricsLog.read(dir.resolve(METRICS)));
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

    /** The epoch with the highest test accuracy (the first of equals, as {@code best.pt} keeps it). */
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
