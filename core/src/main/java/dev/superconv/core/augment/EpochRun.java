package dev.superconv.core.augment;

import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The producers and the consumer side of one epoch of an {@link AugmentedBatchSource}. Workers
 * claim batch numbers in order; batch k waits for buffer k mod B to be closed by the consumer, is
 * rendered outside the lock, and is published under it. The lock is a plain monitor, so waiting
 * allocates nothing.
 */
final class EpochRun implements BatchSource.EpochBatches {
    final int epoch;
    private final AugmentedBatchSource source;
    private final int batches;
    private final int ring;
    private final Object lock = new Object();
    private final AtomicInteger claimed = new AtomicInteger();
    private final Thread[] workers;
    /** Per buffer: the batch it holds ready for the consumer, or −1. */
    private final int[] ready;
    /** Per buffer: the batch a worker may render into it next. */
    private final int[] freeFor;
    private int consumed;
    private int held;
    private boolean closed;
    private Throwable failure;

    EpochRun(AugmentedBatchSource source, int epoch) {
        this.source = source;
        this.epoch = epoch;
        this.batches = source.batchCount();
        this.ring = source.bufferCount();
        this.ready = new int[ring];
        this.freeFor = new int[ring];
        for (int b = 0; b < ring; b++) {
            ready[b] = -1;
            freeFor[b] = b;
        }
        this.workers = new Thread[Math.min(source.config().threads(), batches)];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = Thread.ofPlatform().daemon().name("superconv-augment-e" + epoch + "-" + w).unstarted(this::produce);
        }
    }

    void start() {
        for (Thread t : workers) {
            t.start();
        }
    }

    private void produce() {
        SampleRandom rng = new SampleRandom(0, 0, 0);
        SamplePlan plan = source.augmentation().newPlan();
        try {
            for (int k = claimed.getAndIncrement(); k < batches; k = claimed.getAndIncrement()) {
                int b = k % ring;
                synchronized (lock) {
                    while (!closed && freeFor[b] != k) {
                        lock.wait();
                    }
                    if (closed) {
                        return;
                    }
                }
                source.fill(source.buffer(b), epoch, k, rng, plan);
                synchronized (lock) {
                    ready[b] = k;
                    lock.notifyAll();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            synchronized (lock) {
                if (failure == null) {
                    failure = t;
                }
                lock.notifyAll();
            }
        }
    }

    @Override
    public boolean hasNext() {
        synchronized (lock) {
            return !closed && consumed < batches;
        }
    }

    @Override
    public Batch next() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("epoch " + epoch + " is closed");
            }
            if (consumed >= batches) {
                throw new NoSuchElementException("epoch " + epoch + " has " + batches + " batches");
            }
            if (held == ring) {
                throw new IllegalStateException("all " + ring + " batch buffers are held: close each batch before taking more");
            }
            int k = consumed;
            int b = k % ring;
            boolean interrupted = false;
            while (ready[b] != k && failure == null) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
            if (interrupted || failure != null) {
                Throwable cause = failure;
                closeLocked();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for batch " + k + " of epoch " + epoch);
                }
                throw new IllegalStateException("augmentation worker failed in epoch " + epoch + ": " + cause, cause);
            }
            ready[b] = -1;
            consumed++;
            held++;
            AugmentedBatchSource.Buffer buffer = source.buffer(b);
            buffer.handOut(this);
            return buffer;
        }
    }

    void release(AugmentedBatchSource.Buffer buffer) {
        synchronized (lock) {
            buffer.released();
            if (closed) {
                return;
            }
            int k = buffer.index();
            held--;
            freeFor[k % ring] = k + ring;
            lock.notifyAll();
        }
    }

    /** All batches handed out: the workers are done or about to be. */
    boolean finished() {
        synchronized (lock) {
            return closed || consumed == batches;
        }
    }

    private void closeLocked() {
        closed = true;
        lock.notifyAll();
    }

    @Override
    public void close() {
        synchronized (lock) {
            closeLocked();
        }
        boolean interrupted = false;
        for (Thread t : workers) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        source.finishedEpoch(this);
    }

    /** Worker threads still running (tests check that close stops them). */
    int liveWorkers() {
        int n = 0;
        for (Thread t : workers) {
            n += t.isAlive() ? 1 : 0;
        }
        return n;
    }
}
