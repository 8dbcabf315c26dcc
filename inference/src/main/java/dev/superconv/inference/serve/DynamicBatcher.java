package dev.superconv.inference.serve;

import dev.superconv.core.model.Tta;
import dev.superconv.inference.BatchPipeline;
import dev.superconv.inference.BatchSlot;
import dev.superconv.inference.OrtModel;
import dev.superconv.inference.Preprocessor;
import dev.superconv.inference.Scores;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Dynamic batching: requests put decoded images in a bounded queue; one batcher collects up to
 * {@code maxBatch} images, or whatever arrived within {@code maxWait} of the first one, writes them
 * with the Vector-API {@link Preprocessor} straight into a reused {@link dev.superconv.inference.BatchSlot}
 * and runs one {@code session.run}. It is {@code eval}'s {@link BatchPipeline}: the next batch is
 * collected and preprocessed on the pipeline's thread while the session runs the current one on
 * the batcher thread, which then answers each image's future with its class probabilities.
 *
 * <p>The queue is bounded by permits taken before an image is queued (all of a request's images
 * at once, or none): a full queue is refused at once instead of growing. Every accepted image gets
 * exactly one answer: its probabilities, or a failure if its batch failed or the batcher stopped.
 */
final class DynamicBatcher implements AutoCloseable {
    /** One image waiting for its batch. */
    record Job(byte[] pixels, CompletableFuture<double[]> result, long enqueuedNanos) {}

    /** The queue has no room for the request's images (answered 503). */
    static final class QueueFullException extends Exception {
        QueueFullException(String message) {
            super(message);
        }
    }

    /** The image's batch failed, or the service stopped before it ran. */
    static final class BatchFailedException extends RuntimeException {
        private final int status;

        BatchFailedException(int status, String message) {
            super(message);
            this.status = status;
        }

        /** 500 when the model failed on the batch, 503 when the service stopped before it ran. */
        int status() {
            return status;
        }
    }

    private static final long IDLE_POLL_MS = 20;
    private static final long FAILURE_PAUSE_MS = 50;
    private static final long BUSY_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final OrtModel model;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final long drainMillis;
    private final int queueCapacity;
    private final Semaphore room;
    private final LinkedBlockingQueue<Job> waiting = new LinkedBlockingQueue<>();
    private final ServeMetrics metrics;
    private final Consumer<String> log;
    private final Thread thread;
    private final int rowsPerBatch;
    private volatile boolean stopping;
    private volatile String lastFailure = "";

    DynamicBatcher(OrtModel model, ServeOptions options, ServeMetrics metrics, Consumer<String> log) {
        this.model = model;
        this.maxBatch = options.maxBatch();
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(options.maxWaitMs());
        this.drainMillis = TimeUnit.SECONDS.toMillis(options.drainSeconds());
        this.queueCapacity = options.queue();
        this.room = new Semaphore(queueCapacity);
        this.rowsPerBatch = rowsPerBatch(model, maxBatch);
        this.metrics = metrics;
        this.log = log;
        this.thread = new Thread(this::runLoop, "superconv-serve-batcher");
        thread.setDaemon(true);
        thread.start();
    }

    /** Images per session run: {@code maxBatch}, or the model's own batch when it has a fixed one. */
    static int rowsPerBatch(OrtModel model, int maxBatch) {
        return model.fixedBatch() > 0 ? (int) model.fixedBatch() : maxBatch;
    }

    /** Images per session run (the model's own batch when it has a fixed one). */
    int rowsPerBatch() {
        return rowsPerBatch;
    }

    int queueDepth() {
        return queueCapacity - room.availablePermits();
    }

    /** No room for even one more image right now. */
    boolean full() {
        return room.availablePermits() == 0;
    }

    /** True once the batcher thread has ended (close returns without it only when a session run outlasts the drain). */
    boolean stopped() {
        return !thread.isAlive();
    }

    boolean running() {
        return thread.isAlive() && !stopping;
    }

    /** Queues the images (all or none) and returns one future per image, in order. */
    List<CompletableFuture<double[]>> submit(List<byte[]> images) throws QueueFullException {
        if (images.size() > queueCapacity) {
            throw new IllegalArgumentException(images.size() + " images exceed the queue of " + queueCapacity);
        }
        List<CompletableFuture<double[]>> results = new ArrayList<>(images.size());
        // under the lock so that once stopping is set no image can slip into the queue behind the last batch
        synchronized (this) {
            if (stopping || !thread.isAlive()) {
                throw new QueueFullException("the service is shutting down");
            }
            if (!room.tryAcquire(images.size())) {
                throw new QueueFullException("the queue is full (" + queueCapacity + " images waiting)");
            }
            long now = System.nanoTime();
            for (byte[] px : images) {
                CompletableFuture<double[]> f = new CompletableFuture<>();
                waiting.add(new Job(px, f, now));
                results.add(f);
            }
        }
        return results;
    }

    /**
     * Stops taking requests, lets the batcher answer every image already queued (waiting at most
     * {@code drainMillis}), and closes the batch buffers. Images still unanswered then are failed.
     */
    @Override
    public void close() {
        stopAccepting();
        try {
            thread.join(Math.max(1, drainMillis));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failWaiting("the service stopped before this image ran");
    }

    private void failWaiting(String why) {
        for (Job j; (j = waiting.poll()) != null; ) {
            room.release();
            j.result().completeExceptionally(new BatchFailedException(503, why));
        }
    }

    synchronized void stopAccepting() {
        stopping = true;
    }

    /** Runs pipelines until stopped; a pipeline whose session run fails is replaced, after failing only that batch's images. */
    private void runLoop() {
        try {
            runPipelines();
        } finally {
            failWaiting("the service stopped before this image ran");
        }
    }

    /**
     * A failed batch does not stop the service: its images are answered 500 and a fresh pipeline takes
     * the next batch (a request able to make the session fail must not be able to take the service
     * down). The pause keeps a failure that needs no request, such as allocating the batch buffers,
     * from spinning.
     */
    private void runPipelines() {
        while (true) {
            Generation gen = new Generation();
            try (BatchPipeline pipeline = new BatchPipeline(model, rowsPerBatch)) {
                Preprocessor pre = new Preprocessor(model);
                pipeline.run(slot -> fill(gen, pre, slot), (jobs, rows, scores) -> answer(gen, jobs, rows, scores), true);
                return;
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                lastFailure = e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
                log.accept("a batch failed: " + lastFailure);
            } finally {
                gen.kill("the model failed on this batch (" + lastFailure + ")");
            }
            if (stopping && waiting.isEmpty()) {
                return;
            }
            try {
                Thread.sleep(FAILURE_PAUSE_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * The feed of one pipeline: blocks for the first image, then collects until the batch is full, or
     * until the first image has waited maxWait <em>and</em> the session is free. While the session
     * still runs the previous batch there is nothing to gain from closing this one, so it keeps
     * growing; each image is preprocessed into the slot as it is taken, so closing late costs nothing.
     * Images being collected still count against the queue (their room is given back when the batch
     * closes), so memory stays bounded by the queue plus the two batch slots, and a queue smaller than
     * a batch refuses requests while a batch is still open.
     */
    private BatchPipeline.Filled<List<Job>> fill(Generation gen, Preprocessor pre, BatchSlot slot) throws InterruptedException {
        List<Job> jobs = new ArrayList<>(rowsPerBatch);
        int polled = 0;
        try {
            Job first;
            while ((first = waiting.poll(IDLE_POLL_MS, TimeUnit.MILLISECONDS)) == null) {
                // stopping is set under the submit lock: once seen, an empty queue stays empty
                if (stopping && waiting.isEmpty()) {
                    return BatchPipeline.Filled.end(jobs);
                }
            }
            polled++;
            if (!take(gen, pre, slot, first, jobs)) {
                return BatchPipeline.Filled.end(jobs);
            }
            long deadline = first.enqueuedNanos() + maxWaitNanos;
            int capacity = Math.min(slot.capacity(), maxBatch);
            while (jobs.size() < capacity) {
                long left = deadline - System.nanoTime();
                if (left <= 0 && (gen.sessionFree() || stopping)) {
                    Job j = waiting.poll();
                    if (j == null) {
                        break;
                    }
                    polled++;
                    if (!take(gen, pre, slot, j, jobs)) {
                        return BatchPipeline.Filled.end(jobs);
                    }
                    continue;
                }
                // past the deadline with the session busy: look again each millisecond (the sink frees it without a signal)
                Job j = waiting.poll(left > 0 ? left : BUSY_POLL_NANOS, TimeUnit.NANOSECONDS);
                if (j != null) {
                    polled++;
                    if (!take(gen, pre, slot, j, jobs)) {
                        return BatchPipeline.Filled.end(jobs);
                    }
                }
            }
        } finally {
            room.release(polled);
        }
        gen.handedOver();
        return BatchPipeline.Filled.of(jobs.size(), jobs);
    }

    private boolean take(Generation gen, Preprocessor pre, BatchSlot slot, Job job, List<Job> jobs) {
        if (!gen.register(job)) {
            job.result().completeExceptionally(new BatchFailedException(500, "the model failed on an earlier batch (" + lastFailure + ")"));
            return false;
        }
        pre.write(job.pixels(), 0, 1, Tta.View.IDENTITY, slot.input(), jobs.size());
        jobs.add(job);
        return true;
    }

    /** The sink: one probability row per image (softmax unless the graph ends in one). */
    private void answer(Generation gen, List<Job> jobs, int rows, java.nio.FloatBuffer scores) {
        metrics.batch(rows);
        boolean softmax = !model.outputsProbabilities();
        for (int i = 0; i < jobs.size(); i++) {
            double[] row = new double[model.classCount()];
            Scores.row(scores, i, row);
            if (softmax) {
                Scores.softmax(row);
            }
            Job j = jobs.get(i);
            gen.answered(j);
            j.result().complete(row);
        }
        gen.batchDone();
    }

    /**
     * The images taken by one pipeline and not yet answered. When that pipeline fails they are
     * failed, and so is any image its feed takes afterwards (the feed may still be running
     * on the pipeline's thread): registering and killing hold the same lock, so none is lost.
     */
    private static final class Generation {
        private final Set<Job> taken = new HashSet<>();
        private boolean dead;
        /** Batches handed to the session and not yet answered (0 or 1: the pipeline holds two slots). */
        private final AtomicInteger handedOver = new AtomicInteger();

        void handedOver() {
            handedOver.incrementAndGet();
        }

        void batchDone() {
            handedOver.decrementAndGet();
        }

        boolean sessionFree() {
            return handedOver.get() == 0;
        }

        synchronized boolean register(Job j) {
            if (dead) {
                return false;
            }
            taken.add(j);
            return true;
        }

        synchronized void answered(Job j) {
            taken.remove(j);
        }

        void kill(String why) {
            List<Job> left;
            synchronized (this) {
                dead = true;
                left = new ArrayList<>(taken);
                taken.clear();
            }
            for (Job j : left) {
                j.result().completeExceptionally(new BatchFailedException(500, why));
            }
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("").strip();
    }
}
