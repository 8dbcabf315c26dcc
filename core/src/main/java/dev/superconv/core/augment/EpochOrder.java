package dev.superconv.core.augment;

/** The order samples are visited in one epoch: a Fisher–Yates shuffle seeded by (seed, epoch) only. */
public final class EpochOrder {
    private EpochOrder() {
    }

    public static int[] permutation(long seed, int epoch, int n) {
        int[] order = new int[n];
        fill(seed, epoch, order);
        return order;
    }

    /** Writes a permutation of 0..order.length-1 into {@code order} (reused across epochs). */
    public static void fill(long seed, int epoch, int[] order) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        SampleRandom rng = new SampleRandom(seed, epoch, SampleRandom.PERMUTATION_STREAM);
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** The identity order, for evaluation. */
    public static void identity(int[] order) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
    }
}
