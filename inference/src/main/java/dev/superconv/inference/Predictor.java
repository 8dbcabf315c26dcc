package dev.superconv.inference;

import dev.superconv.core.BadInputException;
import dev.superconv.core.model.Tta;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Classifies a stream of image files in constant memory. A walker thread lists files lazily and
 * hands each to a small decoding pool, queueing the pending results in order in a bounded queue
 * (the walker blocks when decoding falls behind); the preprocessing thread of the
 * {@link BatchPipeline} takes them in order into batches while the session runs the previous
 * batch; the caller's thread receives one row per file, in input order. A file that cannot be
 * used becomes an error row and the stream goes on.
 */
public final class Predictor {
    private Predictor() {}

    /**
     * @param batchSize     images per session run
     * @param topK          classes reported per image
     * @param resize        resize images that are not the model's size with the training policy (else they are per-file errors)
     * @param decodeThreads image decoding threads
     */
    public record Options(int batchSize, int topK, boolean resize, int decodeThreads) {
        public Options {
            if (batchSize < 1) {
                throw new BadInputException("--batch-size must be >= 1, got " + batchSize);
            }
            if (topK < 1) {
                throw new BadInputException("--top-k must be >= 1, got " + topK);
            }
            if (decodeThreads < 1) {
                throw new BadInputException("--decode-threads must be >= 1, got " + decodeThreads);
            }
        }
    }

    /** Receives one row per input file, in input order. */
    public interface Rows {
        /** {@code labels[i]} has probability {@code probabilities[i]}, most likely first. */
        void prediction(Path file, List<String> labels, double[] probabilities) throws Exception;

        void error(Path file, String reason) throws Exception;
    }

    /** Files seen, files that failed, and the wall time. */
    public record Summary(long files, long failed, double seconds) {}

    /** A file on its way through decoding (END marks the end of the walk). */
    private record Pending(Path path, Future<byte[]> pixels) {}

    private static final Pending END = new Pending(Path.of(""), CompletableFuture.completedFuture(new byte[0]));

    /** One file of a batch: its row in the batch, or -1 with the reason it failed. */
    private record Item(Path path, int row, String error) {}

    public static Summary run(OrtModel model, Iterator<ImageFiles.Entry> files, Options options, Rows out) throws Exception {
        int batch = options.batchSize();
        int k = model.classCount();
        int topK = Math.min(options.topK(), k);
        // enough decoded images in flight to fill the next batch while the current one runs
        BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(2 * batch + options.decodeThreads());
        AtomicInteger threadIds = new AtomicInteger();
        ExecutorService decoders = Executors.newFixedThreadPool(options.decodeThreads(), r -> {
            Thread t = new Thread(r, "superconv-decode-" + threadIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Thread walker = new Thread(() -> walk(files, model.resizePolicy(), options.resize(), decoders, queue), "superconv-walk");
        walker.setDaemon(true);
        Preprocessor pre = new Preprocessor(model);
        long t0 = System.nanoTime();
        long[] counts = new long[2]; // files, failed (caller's thread only)
        try (BatchPipeline pipeline = new BatchPipeline(model, batch)) {
            walker.start();
            int capacity = pipeline.rowsPerBatch();
            boolean[] ended = {false}; // filling thread only
            BatchPipeline.Feed<List<Item>> feed = slot -> {
                List<Item> items = new ArrayList<>();
                int rows = 0;
                // a batch also closes after many failures, so a folder of broken files stays bounded in memory
                while (rows < capacity && items.size() < 4 * capacity && !ended[0]) {
                    Pending p = queue.take();
                    if (p == END) {
                        ended[0] = true;
                        break;
                    }
                    try {
                        byte[] px = p.pixels().get();
                        pre.write(px, 0, 1, Tta.View.IDENTITY, slot.input(), rows);
                        items.add(new Item(p.path(), rows++, ""));
                    } catch (ExecutionException e) {
                        Throwable cause = e.getCause();
                        String why = cause instanceof ImageFiles.UnusableImageException ? cause.getMessage() : String.valueOf(cause);
                        items.add(new Item(p.path(), -1, why));
                    }
                }
                return items.isEmpty() ? BatchPipeline.Filled.end(items) : BatchPipeline.Filled.of(rows, items);
            };
            double[] row = new double[k];
            boolean softmax = !model.outputsProbabilities();
            List<String> classes = model.classes();
            BatchPipeline.Sink<List<Item>> sink = (items, rows, scores) -> {
                for (Item it : items) {
                    counts[0]++;
                    if (it.row() < 0) {
                        counts[1]++;
                        out.error(it.path(), it.error());
                        continue;
                    }
                    Scores.row(scores, it.row(), row);
                    if (softmax) {
                        Scores.softmax(row);
                    }
                    int[] top = Scores.topK(row, topK);
                    List<String> labels = new ArrayList<>(topK);
                    double[] probs = new double[topK];
                    for (int j = 0; j < topK; j++) {
                        labels.add(classes.get(top[j]));
                        probs[j] = row[top[j]];
                    }
                    out.prediction(it.path(), labels, probs);
                }
            };
            pipeline.run(feed, sink, true);
        } finally {
            walker.interrupt();
            decoders.shutdownNow();
            walker.join();
        }
        return new Summary(counts[0], counts[1], (System.nanoTime() - t0) / 1e9);
    }

    private static void walk(Iterator<ImageFiles.Entry> files, dev.superconv.core.data.ResizePolicy policy, boolean resize, ExecutorService decoders,
            BlockingQueue<Pending> queue) {
        try {
            try {
                while (files.hasNext()) {
                    ImageFiles.Entry e = files.next();
                    Future<byte[]> px = e.failed()
                            ? CompletableFuture.failedFuture(new ImageFiles.UnusableImageException(e.error()))
                            : decoders.submit(() -> ImageFiles.decode(e.path(), policy, resize));
                    queue.put(new Pending(e.path(), px));
                }
            } catch (RuntimeException ex) {
                // a walk that breaks (not a per-folder listing error) ends the stream with one error row
                queue.put(new Pending(Path.of("."), CompletableFuture.failedFuture(new ImageFiles.UnusableImageException("file walk failed: " + ex))));
            }
            queue.put(END);
        } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
        }
    }
}
