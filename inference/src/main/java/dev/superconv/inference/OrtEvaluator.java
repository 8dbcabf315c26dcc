package dev.superconv.inference;

import dev.superconv.core.BadInputException;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.metrics.Confusion;
import dev.superconv.core.model.Tta;

/**
 * Batched evaluation of a whole split: preprocessing of batch k+1 overlaps the session's run of
 * batch k (see {@link BatchPipeline}); the scores of each batch are reduced to a prediction and a
 * confidence per image as they arrive.
 *
 * <p>Flip TTA: when asked and the model does not already average the mirror inside its graph, each
 * batch carries the images and then their mirrors (written mirrored by the preprocessing kernel, no
 * extra pass), and the two score rows of an image are averaged — logits for a logits model,
 * probabilities for a probabilities model — the same rule the exporter's {@code --tta flip} graph
 * uses, so both routes give the same predictions.
 */
public final class OrtEvaluator {
    private OrtEvaluator() {}

    /**
     * @param batchSize images per batch
     * @param flipTta   average each image's scores with its mirror's
     * @param pipelined overlap preprocessing with inference (false: one thread, fill-run-consume)
     */
    public record Options(int batchSize, boolean flipTta, boolean pipelined) {
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
        boolean flip = options.flipTta() && !model.flipTtaInGraph();
        int views = flip ? 2 : 1;
        Preprocessor pre = new Preprocessor(model);
        int n = data.size();
        int k = model.classCount();
        int[] predictions = new int[n];
        double[] confidence = new double[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = data.label(i);
        }
        try (BatchPipeline pipeline = new BatchPipeline(model, Math.min(options.batchSize(), n) * views)) {
            int perBatch = pipeline.rowsPerBatch() / views;
            if (perBatch < 1) {
                throw new BadInputException("model " + model.file() + " has a fixed batch of " + model.fixedBatch() + ", too small for flip TTA");
            }
            int[] next = {0}; // touched only by the filling thread
            BatchPipeline.Feed<Integer> feed = slot -> {
                int start = next[0];
                int count = Math.min(perBatch, n - start);
                if (count <= 0) {
                    return BatchPipeline.Filled.end(start);
                }
                pre.write(data.pixelData(), start, count, false, slot.input(), 0);
                if (flip) {
                    pre.write(data.pixelData(), start, count, true, slot.input(), count);
                }
                next[0] = start + count;
                return BatchPipeline.Filled.of(count * views, start);
            };
            double[] row = new double[k];
            boolean softmax = !model.outputsProbabilities();
            BatchPipeline.Sink<Integer> sink = (start, rows, scores) -> {
                int count = rows / views;
                for (int i = 0; i < count; i++) {
                    for (int c = 0; c < k; c++) {
                        row[c] = flip ? (scores.get(i * k + c) + (double) scores.get((count + i) * k + c)) / 2 : scores.get(i * k + c);
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
            Tta tta = model.flipTtaInGraph() ? model.graphTta() : flip ? Tta.FLIP : Tta.NONE;
            return new EvalResult(confusion, predictions, confidence, stats.wallNanos() / 1e9,
                    LatencyStats.of(stats.runNanos()), perBatch, tta, model.flipTtaInGraph(), model.device());
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
