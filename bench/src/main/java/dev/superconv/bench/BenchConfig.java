package dev.superconv.bench;

/**
 * How much work each figure of {@link EndToEndBench} measures.
 *
 * @param name             full, quick or smoke (recorded in the report)
 * @param warmups          untimed runs before each measured series
 * @param runs             measured runs per figure (median and range over them)
 * @param augImages        images per augmentation run (one epoch of the seed recipe)
 * @param normImages       images per normalisation call (512: one training batch)
 * @param normCalls        normalisation calls per run
 * @param width            ResNet-9 width for the libtorch and ONNX Runtime figures
 * @param trainBatch       images per training step (64: the PyTorch reference's batch)
 * @param trainSteps       training steps per run
 * @param evalImages       images per libtorch evaluation run
 * @param ortImages        images per ONNX Runtime evaluation run (10,000: the CIFAR-10 test split)
 * @param evalBatch        images per evaluation batch (libtorch and ONNX Runtime)
 * @param matmulSize       n of the n × n × n matmul of the peak-compute probe
 * @param serveRequests    HTTP requests per client level of the serve load benchmark (a quarter at 1 client, twice in the overload)
 */
public record BenchConfig(String name, int warmups, int runs, int augImages, int normImages, int normCalls,
                          double width, int trainBatch, int trainSteps, int evalImages, int ortImages, int evalBatch,
                          int matmulSize, int serveRequests) {
    public BenchConfig {
        if (warmups < 0 || runs < 1 || augImages < 1 || normImages < 1 || normCalls < 1 || width <= 0 || trainBatch < 1
                || trainSteps < 1 || evalImages < 1 || ortImages < 1 || evalBatch < 1 || matmulSize < 1
                || serveRequests < 1) {
            throw new IllegalArgumentException("bad bench config " + this);
        }
    }

    /**
     * The README's figures, ONNX Runtime over the whole 10,000-image test split: about 15 minutes on
     * 2 cores, most of it ONNX Runtime (4 exports × 2 paths × 4 passes of 10,000 images).
     */
    public static BenchConfig full() {
        return new BenchConfig("full", 1, 3, 50_000, 512, 40, 1.0, 64, 6, 2048, 10_000, 256, 2048, 2048);
    }

    /** Under 3 minutes on 2 quiet cores (estimated from the per-figure rates in shared/NOTES.md: ≈ 2 minutes). */
    public static BenchConfig quick() {
        return new BenchConfig("quick", 1, 3, 50_000, 512, 20, 1.0, 64, 2, 512, 1024, 256, 1536, 512);
    }

    /** Seconds: checks that every figure is produced, not how fast (tests). */
    public static BenchConfig smoke() {
        return new BenchConfig("smoke", 1, 2, 2048, 64, 4, 0.125, 16, 1, 32, 64, 16, 128, 48);
    }
}
