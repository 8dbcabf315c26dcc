package dev.superconv.core.augment;

/**
 * Counter-based random numbers for one sample: the state is a hash of (seed, epoch, index), so a
 * sample's augmentation never depends on which thread draws it or in what order samples are
 * processed. The generator itself is SplitMix64 (Steele, Lea, Flood 2014). Mutable and reusable:
 * each worker keeps one and {@link #reset}s it per sample, so the hot path allocates nothing.
 */
public final class SampleRandom {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    /** Keeps the epoch-permutation stream apart from every per-sample stream. */
    static final long PERMUTATION_STREAM = -1L;

    private long state;
    private long seed;
    private int epoch;
    private long index;

    public SampleRandom(long seed, int epoch, long index) {
        reset(seed, epoch, index);
    }

    public static SampleRandom forSample(long seed, int epoch, int index) {
        return new SampleRandom(seed, epoch, index);
    }

    public void reset(long seed, int epoch, long index) {
        this.seed = seed;
        this.epoch = epoch;
        this.index = index;
        long h = mix64(seed ^ 0x5EED_5EED_5EED_5EEDL);
        h = mix64(h + GOLDEN * (epoch + 1L));
        state = mix64(h + 0xC2B2AE3D27D4EB4FL * (index + 2L));
    }

    public long nextLong() {
        state += GOLDEN;
        return mix64(state);
    }

    /** Uniform in [0, bound), without modulo bias (Lemire's multiply-and-reject). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFF_FFFFL;
        if (low < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFF_FFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** Uniform in [0, 1) with 24 random bits (every float in the grid equally likely). */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** The epoch this sample's stream belongs to. */
    public int epoch() {
        return epoch;
    }

    /**
     * A fair coin fixed per (seed, sample), the same in every epoch and apart from the epoch's
     * stream: the draw that alternating flip makes once per image.
     */
    public boolean sampleCoin() {
        long h = mix64(mix64(seed ^ 0xF11B_F11B_F11B_F11BL) + 0xC2B2AE3D27D4EB4FL * (index + 2L));
        return h < 0;
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
