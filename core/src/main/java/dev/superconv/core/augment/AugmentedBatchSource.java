package dev.superconv.core.augment;

import dev.superconv.core.BadInputException;
import dev.superconv.core.data.Dataset;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.function.ObjIntConsumer;

/**
 * Batches of a {@link Dataset} through an {@link Augmentation}, made ahead of the consumer by
 * {@code config.threads()} worker threads into {@code config.prefetch() + 1} off-heap buffers
 * (float32 images, int64 labels, native order, 64-byte aligned) that are allocated once and reused,
 * so the steady state allocates nothing per batch.
 *
 * <p>Batch k of an epoch always lives in buffer {@code k mod buffers}: a worker may fill it once
 * batch {@code k − buffers} has been closed, and the consumer takes it once filled. That ring is the
 * bounded queue; it also keeps batches in order whatever thread made them. Sample {@code i} is
 * augmented with {@link SampleRandom}{@code (seed, epoch, i)}, so the batches are bit-identical for
 * any number of threads.
 *
 * <p>One epoch is open at a time. A worker's exception is rethrown to the consumer by
 * {@code next()}. Closing the epoch stops its workers; closing the source frees the buffers, so no
 * segment of it may be used afterwards.
 */
public final class AugmentedBatchSource implements BatchSource {
    private final Dataset data;
    private final Augmentation augmentation;
    private final AugmentConfig config;
    private final ObjIntConsumer<int[]> fillOrder;
    private final IntConsumer beforeSample;
    private final MemorySegment pixels;
    private final Arena arena = Arena.ofShared();
    private final Buffer[] buffers;
    private final int[] order;
    private final int batches;
    private final int images;
    private EpochRun current;
    private boolean closed;

    /** Shuffled every epoch when {@code shuffle}; otherwise in data-set order. */
    public AugmentedBatchSource(Dataset data, Augmentation augmentation, AugmentConfig config, boolean shuffle) {
        this(data, augmentation, config, shuffle, i -> { });
    }

    /** {@code beforeSample} sees each data-set index just before it is rendered (tests inject failures). */
    AugmentedBatchSource(Dataset data, Augmentation augmentation, AugmentConfig config, boolean shuffle, IntConsumer beforeSample) {
        this(data, augmentation, config, data.size(),
                shuffle ? (order, epoch) -> EpochOrder.fill(config.seed(), epoch, order) : (order, epoch) -> EpochOrder.identity(order),
                beforeSample);
    }

    /**
     * Visits {@code epochOrder.apply(epoch)} (always {@code samples} data-set indices) each epoch
     * instead of the whole data set: one rank's shard in distributed training. A sample is still
     * augmented by (seed, epoch, data-set index), so it gets the same crop and flip on any rank.
     */
    public AugmentedBatchSource(Dataset data, Augmentation augmentation, AugmentConfig config, IntFunction<int[]> epochOrder, int samples) {
        this(data, augmentation, config, samples, (order, epoch) -> {
            int[] chosen = epochOrder.apply(epoch);
            if (chosen.length != samples) {
                throw new IllegalStateException("epoch order of " + chosen.length + " samples, expected " + samples);
            }
            System.arraycopy(chosen, 0, order, 0, samples);
        }, i -> { });
    }

    private AugmentedBatchSource(Dataset data, Augmentation augmentation, AugmentConfig config, int samples,
            ObjIntConsumer<int[]> fillOrder, IntConsumer beforeSample) {
        if (augmentation.height() != data.imageSize() || augmentation.width() != data.imageSize()) {
            throw new IllegalArgumentException("augmentation is for " + augmentation.height() + "×" + augmentation.width() + " images, data set has "
                    + data.imageSize() + "×" + data.imageSize());
        }
        this.data = data;
        this.augmentation = augmentation;
        this.config = config;
        this.fillOrder = fillOrder;
        this.beforeSample = beforeSample;
        this.pixels = data.pixelData(); // a heap array or the cache file's mapping: read in place either way
        int n = samples;
        int size = config.batchSize();
        this.batches = config.dropLast() ? n / size : (n + size - 1) / size;
        this.images = config.dropLast() ? batches * size : n;
        if (batches == 0) {
            throw new BadInputException("data set of " + n + " images gives no batch of " + size + (config.dropLast() ? " with drop-last" : ""));
        }
        this.order = new int[n];
        this.buffers = new Buffer[config.prefetch() + 1];
        long imageBytes = 4L * augmentation.outputValues();
        for (int b = 0; b < buffers.length; b++) {
            buffers[b] = new Buffer(arena.allocate(imageBytes * size, 64), arena.allocate(8L * size, 64));
        }
    }

    /** The seed training recipe ({@link AugmentPreset#SEED}) with CIFAR-10 mean/std. */
    public static AugmentedBatchSource training(Dataset data, AugmentConfig config) {
        return AugmentPreset.SEED.source(data, config);
    }

    /** Normalise only, in order, every image ({@link AugmentPreset#EVAL}) with CIFAR-10 mean/std. */
    public static AugmentedBatchSource evaluation(Dataset data, AugmentConfig config) {
        return AugmentPreset.EVAL.source(data, config);
    }

    public AugmentConfig config() {
        return config;
    }

    public Augmentation augmentation() {
        return augmentation;
    }

    /** Off-heap buffers in the ring (prefetch + 1): the most batches the consumer may hold at once. */
    public int bufferCount() {
        return buffers.length;
    }

    @Override
    public int batchesPerEpoch() {
        return batches;
    }

    @Override
    public int imagesPerEpoch() {
        return images;
    }

    @Override
    public synchronized EpochBatches epoch(int epoch) {
        if (closed) {
            throw new IllegalStateException("batch source is closed");
        }
        if (current != null) {
            if (!current.finished()) {
                throw new IllegalStateException("epoch " + current.epoch + " is still open: close it before starting epoch " + epoch);
            }
            current.close();
        }
        fillOrder.accept(order, epoch);
        current = new EpochRun(this, epoch);
        current.start();
        return current;
    }

    @Override
    public void close() {
        EpochRun run;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            run = current;
            current = null;
        }
        if (run != null) {
            run.close();
        }
        arena.close();
    }

    int batchCount() {
        return batches;
    }

    Buffer buffer(int slot) {
        return buffers[slot];
    }

    /** Worker body: fills buffer {@code target} with batch {@code k} of {@code epoch}. */
    void fill(Buffer target, int epoch, int k, SampleRandom rng, SamplePlan plan) {
        int size = config.batchSize();
        int first = k * size;
        int count = Math.min(size, images - first);
        long imageBytes = 4L * augmentation.outputValues();
        Layout layout = config.layout();
        for (int i = 0; i < count; i++) {
            int sample = order[first + i];
            beforeSample.accept(sample);
            rng.reset(config.seed(), epoch, sample);
            augmentation.draw(rng, plan);
            augmentation.render(pixels, (long) sample * data.imageBytes(), plan, target.images, i * imageBytes, layout);
            target.labels.setAtIndex(ValueLayout.JAVA_LONG, i, data.label(sample));
        }
        target.prepare(epoch, k, count, imageBytes, layout);
    }

    synchronized void finishedEpoch(EpochRun run) {
        if (current == run) {
            current = null;
        }
    }

    /** One reusable off-heap batch; handed out as the {@link Batch} of whichever batch it holds. */
    static final class Buffer implements Batch {
        private final MemorySegment allImages;
        final MemorySegment images;
        final MemorySegment labels;
        private MemorySegment imagesView;
        private MemorySegment labelsView;
        private Layout layout;
        private int epoch;
        private int index;
        private int size;
        private EpochRun holder;

        Buffer(MemorySegment images, MemorySegment labels) {
            this.allImages = images;
            this.images = images;
            this.labels = labels;
            this.imagesView = images;
            this.labelsView = labels;
        }

        void prepare(int epoch, int index, int count, long imageBytes, Layout layout) {
            this.epoch = epoch;
            this.index = index;
            this.layout = layout;
            if (count != size) {
                // Only the last batch of an epoch differs in size: a view per change, not per batch.
                imagesView = count * imageBytes == allImages.byteSize() ? allImages : allImages.asSlice(0, count * imageBytes);
                labelsView = 8L * count == labels.byteSize() ? labels : labels.asSlice(0, 8L * count);
                size = count;
            }
        }

        void handOut(EpochRun run) {
            holder = run;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public MemorySegment images() {
            return imagesView;
        }

        @Override
        public MemorySegment labels() {
            return labelsView;
        }

        @Override
        public Layout layout() {
            return layout;
        }

        @Override
        public int epoch() {
            return epoch;
        }

        @Override
        public int index() {
            return index;
        }

        @Override
        public void close() {
            EpochRun run = holder;
            if (run != null) {
                run.release(this);
            }
        }

        void released() {
            holder = null;
        }
    }
}
