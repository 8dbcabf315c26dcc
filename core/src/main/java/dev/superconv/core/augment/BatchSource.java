package dev.superconv.core.augment;

import java.util.Iterator;

/** Produces the batches of each epoch; implementations prefetch ahead of the consumer. */
public interface BatchSource extends AutoCloseable {
    /** Batches per epoch (depends on the data size, the batch size and drop-last). */
    int batchesPerEpoch();

    /** Images the model sees per epoch. */
    int imagesPerEpoch();

    /**
     * The batches of one epoch, in order. The same (seed, epoch) always gives the same batches.
     * The returned iterator must be closed (it stops the producers of that epoch).
     */
    EpochBatches epoch(int epoch);

    @Override
    void close();

    /** An epoch's batches; each {@link Batch} from {@link #next()} must be closed by the caller. */
    interface EpochBatches extends Iterator<Batch>, AutoCloseable {
        @Override
        void close();
    }
}
