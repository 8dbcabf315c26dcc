package dev.superconv.inference;

import dev.superconv.core.BadInputException;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.metrics.Confusion;
import dev.superconv.core.model.Tta;
import java.util.Arrays;
import java.util.List;

/**
 * Batched evaluation of a whole split: preprocessing of batch k+1 overlaps the session's run of
 * batch k (see {@link BatchPipeline}); the scores of each batch are reduced to a prediction and a
 * confidence per image as they arrive.
 *
 * <p>TTA: when asked and the model does not already apply a TTA inside its graph, each batch
 * carries every view of its images, view-major (all originals, then all mirrors, then the shifted
 * views for flip-translate), rendered by the preprocessing step, and an image's score rows are
 * summed with the {@link Tta#viewList()} weights — logits for a logits model, probabilities for a
 * probabilities model. That is the rule the exporter's {@code --tta} graphs use, so both routes give
 * the same predictions. A model with TTA in its graph is run once per image, whatever was asked.
 */
public final class OrtEvaluator {
    private OrtEvaluator() {}

    /**
     * @param batchSize images per batch
     * @param tta       the views to run and weigh per image (unless the graph already has a TTA)
     * @param pipelined overlap preprocessing with inference (false: one thread, fill-run-consume)
     */
    public record Options(int batchSize, Tta tta, boolean pipelined) {
        public Options {
            if (batchSize < 1) {
                throw new BadInputException("--batch-size must be >= 1, got " + batchSize);
            }
        }
    }

    public static EvalResult evaluate(OrtModel model, Dataset data, Options options) throws Exception {
        checkClasses(model, data);
        if (data.size() == 0) {
            throw new BadInputException("the data split holds no images");
        }
        Tta tta = model.ttaInGraph() ? Tta.NONE : options.tta();
        List<Tta.View> views = tta.viewList();
        Preprocessor pre = new Preprocessor(model);
        int n = data.size();
        int k = model.classCount();
        int[] predictions = new int[n];
        double[] confidence = new double[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = data.label(i);
        }
        try (BatchPipeline pipeline = new BatchPipeline(model, Math.min(options.batchSize(), n) * views.size())) {
            int perBatch = pipeline.rowsPerBatch() / views.size();
            if (perBatch < 1) {
                throw new BadInputException("model " + model.file() + " has a fixed batch of " + model.fixedBatch() + ", too small for "
                        + views.size() + " TTA views an image (--tta " + tta.cliName() + ")");
            }
            int[] next = {0}; // touched only by the filling thread
            BatchPipeline.Feed<Integer> feed = slot -> {
                int start = next[0];
                int count = Math.min(perBatch, n - start);
                if (count <= 0) {
                    return BatchPipeline.Filled.end(start);
                }
                for (int v = 0; v < views.size(); v++) {
                    pre.write(data.pixelData(), start, count, views.get(v), slot.input(), v * count);
                }
                next[0] = start + count;
                return BatchPipeline.Filled.of(count * views.size(), start);
            };
            double[] row = new double[k];
            boolean softmax = !model.outputsProbabilities();
            BatchPipeline.Sink<Integer> sink = (start, rows, scores) -> {
                int count = rows / views.size();
                for (int i = 0; i < count; i++) {
                    Arrays.fill(row, 0);
                    for (int v = 0; v < views.size(); v++) {
                        double weight = views.get(v).weight();
                        for (int c = 0; c < k; c++) {
                            row[c] += weight * scores.get((v * count + i) * k + c);
                        }
                    }
                    int best = Scores.argmax(row);
                    if (softmax) {
                        Scores.softmax(row);
                    }
                    predictions[start + i] = best;
                    confidence[start + i] = row[best];
                }
            };
            BatchPipeline.Stats stats = pipeline.run(feed, sink, options.pipelined());
            Confusion confusion = Confusion.of(model.classes(), labels, predictions);
            Tta applied = model.ttaInGraph() ? model.graphTta() : tta;
            return new EvalResult(confusion, predictions, confidence, stats.wallNanos() / 1e9,
                    LatencyStats.of(stats.runNanos()), perBatch, applied, model.ttaInGraph(), model.device());
        }
    }

    /** Data and model must agree on the classes (by name, when the model names them). */
    static void checkClasses(OrtModel model, Dataset data) {
        if (data.imageSize() != model.imageSize()) {
            throw new BadInputException("data images are " + data.imageSize() + "×" + data.imageSize() + " but model " + model.file() + " takes "
                    + model.imageSize() + "×" + model.imageSize() + " (give --image-size " + model.imageSize() + ")");
        }
        if (data.classes().size() != model.classCount()) {
            throw new BadInputException("data has " + data.classes().size() + " classes but model " + model.file() + " has " + model.classCount());
        }
        if (model.hasClassNames() && !data.classes().equals(model.classes())) {
            throw new BadInputException("data classes " + data.classes() + " differ from model " + model.file() + " classes " + model.classes());
        }
    }
}
