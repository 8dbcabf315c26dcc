package dev.superconv.inference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.metrics.Confusion;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.Tta;
import java.util.List;

/**
 * Outcome of evaluating a model on one split.
 *
 * @param confusion   counts[true][predicted]
 * @param predictions predicted class per image, in data set order
 * @param confidence  the model's probability for its prediction, per image
 * @param seconds     wall time of the whole pass (preprocessing and inference; decoding excluded)
 * @param latency     session time per batch
 * @param batchSize   images per batch
 * @param tta         the test-time augmentation the scores include
 * @param ttaInGraph  whether the model's graph applied it (else the evaluator ran the views)
 * @param device      where the session ran
 */
public record EvalResult(Confusion confusion, int[] predictions, double[] confidence, double seconds,
                         LatencyStats latency, int batchSize, Tta tta, boolean ttaInGraph, Device device) {
    /** "none", "flip", or e.g. "flip-translate (in graph)": what {@code eval} prints and its JSON holds. */
    public String ttaDescription() {
        return tta.cliName() + (ttaInGraph && tta != Tta.NONE ? " (in graph)" : "");
    }

    public long images() {
        return confusion.total();
    }

    public double accuracy() {
        return confusion.accuracy();
    }

    public double imagesPerSecond() {
        return images() / seconds;
    }

    public List<String> classes() {
        return confusion.classes();
    }

    /** The JSON object {@code eval --json} prints: accuracy, images, images_per_second, per_class, confusion, latency. */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("accuracy", accuracy());
        o.put("images", images());
        o.put("correct", confusion.correct());
        o.put("images_per_second", imagesPerSecond());
        o.put("seconds", seconds);
        o.put("batch_size", batchSize);
        o.put("tta", ttaDescription());
        o.put("device", device.cliName());
        ObjectNode perClass = o.putObject("per_class");
        double[] acc = confusion.classAccuracies();
        for (int c = 0; c < acc.length; c++) {
            if (Double.isNaN(acc[c])) {
                perClass.putNull(classes().get(c));
            } else {
                perClass.put(classes().get(c), acc[c]);
            }
        }
        ObjectNode conf = o.putObject("confusion");
        ArrayNode names = conf.putArray("classes");
        classes().forEach(names::add);
        ArrayNode rows = conf.putArray("counts");
        for (int t = 0; t < classes().size(); t++) {
            ArrayNode row = rows.addArray();
            for (int p = 0; p < classes().size(); p++) {
                row.add(confusion.count(t, p));
            }
        }
        ObjectNode lat = o.putObject("latency");
        lat.put("batches", latency.batches());
        lat.put("mean_ms", latency.meanMs());
        lat.put("p50_ms", latency.p50Ms());
        lat.put("p95_ms", latency.p95Ms());
        lat.put("p99_ms", latency.p99Ms());
        lat.put("max_ms", latency.maxMs());
        return o;
    }
}
