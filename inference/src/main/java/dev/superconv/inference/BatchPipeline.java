package dev.superconv.inference;

import java.nio.FloatBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a model over a stream of batches with two reusable {@link BatchSlot}s: while ONNX Runtime
 * runs batch k in one slot, a preprocessing thread fills batch k+1 into the other, so the
 * session never waits for input preparation (sequential mode does fill, run, consume in turn, for
 * comparison and tests). The consumer sees each batch's scores before that slot is refilled.
 */
public final class BatchPipeline implements AutoCloseable {
    /** Fills a slot's input with up to {@code slot.capacity()} rows; runs on the preprocessing thread. */
    @FunctionalInterface
    public interface Feed<T> {
        /** Returns the rows written and a tag for the consumer, or {@link Filled#end} when the stream is done. */
        Filled<T> fill(BatchSlot slot) throws Exception;
    }

    /**
     * What {@link Feed#fill} wrote. A batch of zero rows that is not the end (say, every file in it
     * failed to decode) skips the session but still reaches the sink with its tag.
     */
    public record Filled<T>(int rows, T tag, boolean end) {
        public static <T> Filled<T> of(int rows, T tag) {
            return new Filled<>(rows, tag, false);
        }

        public static <T> Filled<T> end(T tag) {
            return new Filled<>(0, tag, true);
        }
    }

    /** Receives each batch's scores ({@code rows × classes} floats), in feed order, on the caller's thread. */
    @FunctionalInterface
    public interface Sink<T> {
        void accept(T tag, int rows, FloatBuffer scores) throws Exception;
    }

    /** Per-run figures: batches, rows and each batch's session time. */
    public record Stats(int batches, long rows, long wallNanos, long[] runNanos) {}

    private final OrtModel model;
    private final BatchSlot[] slots;
    private final ExecutorService preprocess;

    /** @param rowsPerBatch rows handed to the session per run (forced to the model's batch when fixed) */
    public BatchPipeline(OrtModel model, int rowsPerBatch) {
        if (rowsPerBatch < 1) {
            throw new IllegalArgumentException("rows per batch must be >= 1, got " + rowsPerBatch);
        }
        this.model = model;
        int rows = model.fixedBatch() > 0 ? (int) model.fixedBatch() : rowsPerBatch;
        slots = new BatchSlot[2];
        try {
            slots[0] = new BatchSlot(model, rows);
            slots[1] = new BatchSlot(model, rows);
        } catch (RuntimeException e) {
            if (slots[0] != null) {
                slots[0].close();
            }
            throw e;
        }
        preprocess = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "superconv-preprocess");
            t.setDaemon(true);
            return t;
        });
    }

    public int rowsPerBatch() {
        return slots[0].capacity();
    }

    public OrtModel model() {
        return model;
    }

    /** Runs the whole stream; {@code pipelined} overlaps filling batch k+1 with running batch k. */
    public <T> Stats run(Feed<T> feed, Sink<T> sink, boolean pipelined) throws Exception {
        return pipelined ? runPipelined(feed, sink) : runSequential(feed, sink);
    }

    private <T> Stats runSequential(Feed<T> feed, Sink<T> sink) throws Exception {
        Timings timings = new Timings();
        long t0 = System.nanoTime();
        long rows = 0;
        while (true) {
            BatchSlot slot = slots[0];
            Filled<T> f = feed.fill(slot);
            if (f.end()) {
                break;
            }
            rows += runAndConsume(slot, f, sink, timings);
        }
        return new Stats(timings.count, rows, System.nanoTime() - t0, timings.values());
    }

    private <T> Stats runPipelined(Feed<T> feed, Sink<T> sink) throws Exception {
        Timings timings = new Timings();
        long t0 = System.nanoTime();
        long rows = 0;
        int k = 0;
        Future<Filled<T>> next = preprocess.submit(() -> feed.fill(slots[0]));
        try {
            while (true) {
                Filled<T> f = await(next);
                if (f.end()) {
                    break;
                }
                BatchSlot current = slots[k & 1];
                BatchSlot other = slots[(k + 1) & 1];
                next = preprocess.submit(() -> feed.fill(other)); // overlaps the run below
                rows += runAndConsume(current, f, sink, timings);
                k++;
            }
        } finally {
            // never leave the preprocessing thread writing into a slot that is about to be reused or closed
            next.cancel(false);
            try {
                next.get();
            } catch (Exception ignored) {
                // cancelled, or the failure already propagating
            }
        }
        return new Stats(timings.count, rows, System.nanoTime() - t0, timings.values());
    }

    private <T> int runAndConsume(BatchSlot slot, Filled<T> f, Sink<T> sink, Timings timings) throws Exception {
        if (f.rows() < 0 || f.rows() > slot.capacity()) {
            throw new IllegalStateException("feed wrote " + f.rows() + " rows into a slot of " + slot.capacity());
        }
        if (f.rows() == 0) {
            sink.accept(f.tag(), 0, FloatBuffer.allocate(0));
            return 0;
        }
        timings.add(slot.run(f.rows()));
        sink.accept(f.tag(), f.rows(), slot.scores(f.rows()));
        return f.rows();
    }

    private static <T> T await(Future<T> future) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    /** Session times per batch, growing as needed. */
    private static final class Timings {
        long[] ns = new long[64];
        int count;

        void add(long v) {
            if (count == ns.length) {
                ns = java.util.Arrays.copyOf(ns, count * 2);
            }
            ns[count++] = v;
        }

        long[] values() {
            return java.util.Arrays.copyOf(ns, count);
        }
    }

    @Override
    public void close() {
        preprocess.shutdownNow();
        slots[0].close();
        slots[1].close();
    }
}
