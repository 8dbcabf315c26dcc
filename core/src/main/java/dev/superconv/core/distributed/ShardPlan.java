package dev.superconv.core.distributed;

import dev.superconv.core.augment.EpochOrder;

/**
 * Which samples one rank sees in each epoch, with PyTorch {@code DistributedSampler} semantics:
 * every rank draws the same global permutation from (seed, epoch); rank {@code r} takes positions
 * {@code r, r+W, r+2W, …} of it. The ranks' shards are disjoint and, for {@link Tail#DROP} and
 * {@link Tail#PAD}, equally long, so every rank runs the same number of steps and no collective
 * waits for a rank that has run out of data.
 *
 * <p>Step {@code k} of rank {@code r} with per-rank batch {@code b} holds global positions
 * {@code W·(k·b + j) + r}, {@code j < b}; the union over the ranks is exactly positions
 * {@code [k·W·b, (k+1)·W·b)} of the permutation, i.e. the batch a single process with batch
 * {@code W·b} would take at step {@code k}. That is what makes W processes reproduce one.
 *
 * @param size samples in the data set
 * @param worldSize number of ranks W
 * @param rank this rank, {@code 0 <= rank < worldSize}
 * @param seed shuffle seed; the same on every rank
 * @param shuffle false keeps the data-set order (evaluation)
 * @param tail what to do when {@code size} is not a multiple of W
 */
public record ShardPlan(int size, int worldSize, int rank, long seed, boolean shuffle, Tail tail) {

    /** How a data set whose size is not a multiple of the world size is split. */
    public enum Tail {
        /** Drop the last {@code size mod W} positions of the permutation: every rank gets {@code floor(size/W)}. */
        DROP,
        /** Wrap around to the start of the permutation: every rank gets {@code ceil(size/W)}, a few samples twice. */
        PAD,
        /** Keep every sample exactly once; ranks differ by at most one (evaluation with summed counts). */
        UNEVEN
    }

    public ShardPlan {
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " < 0");
        }
        if (worldSize < 1) {
            throw new IllegalArgumentException("world size " + worldSize + " < 1");
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " outside [0, " + worldSize + ")");
        }
    }

    /** A training plan: shuffled each epoch, tail dropped (the default of a training sampler with drop_last). */
    public static ShardPlan training(int size, int worldSize, int rank, long seed) {
        return new ShardPlan(size, worldSize, rank, seed, true, Tail.DROP);
    }

    /** Samples this rank sees per epoch. */
    public int samplesPerRank() {
        return switch (tail) {
            case DROP -> size / worldSize;
            case PAD -> ceilDiv(size, worldSize);
            case UNEVEN -> rank < size % worldSize ? size / worldSize + 1 : size / worldSize;
        };
    }

    /**
     * Steps per epoch for a per-rank batch of {@code perRankBatch}; with {@code dropLastBatch} a
     * final partial batch is skipped. Equal on every rank unless the tail is {@link Tail#UNEVEN}.
     */
    public int batchesPerEpoch(int perRankBatch, boolean dropLastBatch) {
        if (perRankBatch < 1) {
            throw new IllegalArgumentException("per-rank batch " + perRankBatch + " < 1");
        }
        int n = samplesPerRank();
        return dropLastBatch ? n / perRankBatch : ceilDiv(n, perRankBatch);
    }

    /** This rank's sample indices for {@code epoch}, in the order they are to be batched. */
    public int[] indices(int epoch) {
        int[] order = shuffle ? permutation(size, seed, epoch) : identity(size);
        int n = samplesPerRank();
        int[] mine = new int[n];
        for (int i = 0; i < n; i++) {
            // Position in the (possibly padded) global order; padding wraps to the start.
            long position = (long) i * worldSize + rank;
            mine[i] = order[(int) (position % size)];
        }
        return mine;
    }

    /**
     * The global order of {@code epoch}: the training pipeline's own {@link EpochOrder} shuffle,
     * seeded by (seed, epoch) alone, so every rank computes the same one and one rank sees exactly
     * the order a non-distributed run visits.
     */
    public static int[] permutation(int size, long seed, int epoch) {
        return EpochOrder.permutation(seed, epoch, size);
    }

    private static int[] identity(int size) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        return order;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
