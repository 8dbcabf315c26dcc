package dev.superconv.bench;

import dev.superconv.bindings.Precision;
import dev.superconv.core.data.DataSets;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.export.ExportOptions;
import dev.superconv.inference.EvalResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The end-to-end figures behind the README's performance table: the Java input path, libtorch
 * training and evaluation, ONNX Runtime evaluation, the matmul rate, the hardware peak and model FLOP utilisation.
 * Each figure is checked against a reference first, then measured after warm-up over repeated runs.
 */
public final class EndToEndBench {
    private final BenchConfig config;
    private final String dataSpec;
    private final Consumer<String> log;
    private final List<Figure> figures = new ArrayList<>();

    private EndToEndBench(BenchConfig config, String dataSpec, Consumer<String> log) {
        this.config = config;
        this.dataSpec = dataSpec;
        this.log = log;
    }

    /**
     * Runs every figure. {@code dataSpec} names real images ({@code --data}; "" = random bytes of
     * the same shape); {@code log} receives one line per figure as it is measured.
     */
    public static BenchReport run(BenchConfig config, String dataSpec, Consumer<String> log) throws Exception {
        return new EndToEndBench(config, dataSpec, log).runAll();
    }

    private BenchReport runAll() throws Exception {
        long started = System.nanoTime();
        MachineInfo machine = MachineInfo.atStart();
        log.accept("superconv bench (" + config.name() + ") on " + machine.cpu() + ", load " + machine.loadAtStart());
        Dataset train = dataset("train", config.augImages(), 11);
        Dataset test = dataset("test", Math.max(config.ortImages(), config.evalImages()), 12);
        String data = dataSpec.isEmpty() ? "random bytes (CIFAR-sized)" : dataSpec;
        input(train);
        Stats[] train32 = training(Precision.FP32);
        Stats[] train16 = training(Precision.BF16);
        evaluation(test.limit(config.evalImages()));
        String ort = onnxRuntime(test.limit(config.ortImages()), train.limit(512));
        Stats peak32 = peak(Precision.FP32);
        Stats peak16 = peak(Precision.BF16);
        double forward = ModelSpec.cifar10(config.width()).forwardFlopsPerImage() / 1e9;
        for (Figure f : BenchFigures.utilisation(train32[1], train16[1], peak32, peak16, forward, machine.peak())) {
            add(f);
        }
        return new BenchReport(config, data, List.copyOf(figures), machine.finished(ort), (System.nanoTime() - started) / 1e9);
    }

    private Dataset dataset(String split, int images, long seed) {
        if (!dataSpec.isEmpty()) {
            Dataset d = DataSets.loadSplit(dataSpec, split);
            return d.size() > images ? d.limit(images) : d;
        }
        byte[] labels = new byte[images];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < images; i++) {
            labels[i] = (byte) r.nextInt(10);
        }
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            classes.add("class" + c);
        }
        return new Dataset(InputProbes.randomPixels(images, seed), labels, classes);
    }

    private void add(Figure f) {
        figures.add(f);
        log.accept(BenchReport.line(f));
    }

    private void input(Dataset train) throws Exception {
        int threads = Runtime.getRuntime().availableProcessors();
        add(Figure.atLeast("augmentation_img_s", "Augmentation: seed recipe + normalise + batches of 512, " + threads + " threads, "
                + train.size() + " images", "img/s", InputProbes.augmentation(train, threads, config.warmups(), config.runs()), 50_000, "≥ 50,000"));
        int n = config.normImages();
        int calls = config.normCalls();
        Stats vector = InputProbes.normalize(n, calls, config.warmups(), config.runs());
        Stats scalar = ScalarNormalize.measure(n, calls, config.warmups(), config.runs());
        Stats copy = InputProbes.memoryCopy(n, calls, config.warmups(), config.runs());
        String what = " (uint8 HWC → float NCHW, " + n + " images per call, GB moved: 1 byte read + 4 written per value)";
        add(Figure.plain("normalize_vector_gb_s", "Normalise, Vector API" + what, "GB/s", vector));
        add(Figure.plain("normalize_scalar_gb_s", "Normalise, scalar path (-Dsuperconv.scalar=true)" + what, "GB/s", scalar));
        add(Figure.plain("memcpy_gb_s", "Bare memory copy of the float output's bytes (bandwidth ceiling; GB moved: 4 read + 4 written per value)",
                "GB/s", copy));
        add(Figure.atLeast("normalize_vector_over_scalar", "Normalise: Vector API ÷ scalar", "×", ratio(vector, scalar), 4, "≥ 4×"));
        add(Figure.plain("normalize_vector_over_memcpy", "Normalise: Vector API ÷ memory copy (bytes moved per second)", "×", ratio(vector, copy)));
        // the ImageFolder loader's per-file work (from memory, so the disk is not measured)
        add(Figure.plain("decode_resize_32_img_s", "ImageFolder decode: 32×32 JPEG → 32×32 (copy), " + threads + " threads", "img/s",
                DecodeProbe.measure(DecodeProbe.jpegs(4 * n, 32, 1), 32, threads, config.warmups(), config.runs())));
        add(Figure.plain("decode_resize_256_to_64_img_s", "ImageFolder decode: 256×256 JPEG → 64×64 (area filter), " + threads + " threads", "img/s",
                DecodeProbe.measure(DecodeProbe.jpegs(Math.max(8, n / 2), 256, 2), 64, threads, config.warmups(), config.runs())));
    }

    /** Ratio of medians; the range pairs the extremes (low ÷ high, high ÷ low). */
    static Stats ratio(Stats a, Stats b) {
        return new Stats(a.median() / b.median(), a.min() / b.max(), a.max() / b.min(), Math.min(a.runs(), b.runs()));
    }

    /** Train img/s at width {@code config.width()}: [NCHW, channels-last]. */
    private Stats[] training(Precision precision) throws Exception {
        Stats[] out = new Stats[2];
        for (boolean channelsLast : new boolean[] {false, true}) {
            try (TrainStepProbe probe = new TrainStepProbe(config.width(), precision, channelsLast, config.trainBatch())) {
                probe.check();
                out[channelsLast ? 1 : 0] = Stats.measure(config.warmups(), config.runs(), () -> probe.run(config.trainSteps()));
            }
            add(BenchFigures.train(precision, channelsLast, config.width(), config.trainBatch(), out));
        }
        return out;
    }

    private void evaluation(Dataset test) throws Exception {
        for (Precision p : Precision.values()) {
            try (EvalForwardProbe probe = new EvalForwardProbe(config.width(), p, test, config.evalBatch())) {
                probe.check(Math.min(16, config.evalBatch()));
                add(Figure.plain("eval_torch_" + p.flag() + "_img_s", String.format(Locale.ROOT,
                        "libtorch eval, %s, channels-last, width %s, batch %d, %d images", p.flag(), width(), config.evalBatch(), test.size()),
                        "img/s", Stats.measure(config.warmups(), config.runs(), probe::run)));
            }
        }
    }

    /**
     * ONNX Runtime figures for fp32 (BN folded and not), fp16 and int8 exports, and the fp32 and int8
     * exports behind {@code superconv serve}; returns ONNX Runtime's version.
     */
    private String onnxRuntime(Dataset test, Dataset calibration) throws Exception {
        Path dir = Files.createTempDirectory("superconv-bench");
        String version = "unknown";
        ExportOptions folded = ExportOptions.DEFAULT;
        try {
            for (ExportOptions options : List.of(folded, folded.withFoldBn(false), folded.withPrecision(ExportOptions.Precision.FP16),
                    folded.withPrecision(ExportOptions.Precision.INT8))) {
                String variant = options.precision().cliName() + (options.foldBn() ? "" : "_nofold");
                Path file = dir.resolve("resnet9-" + variant + ".onnx");
                OrtEvalProbe.export(config.width(), options, test.classes(), calibration, file);
                double offline;
                try (OrtEvalProbe probe = new OrtEvalProbe(file, test, config.evalBatch())) {
                    version = probe.ortVersion();
                    probe.check();
                    double[][] pairs = new double[2][config.runs()];
                    double[][] latency = new double[2][config.runs()];
                    for (int w = 1; w < config.warmups(); w++) { // check() ran both paths once: the first warm-up
                        probe.pipelined();
                        probe.bare();
                    }
                    for (int r = 0; r < config.runs(); r++) {
                        EvalResult e = probe.pipelined();
                        pairs[0][r] = e.imagesPerSecond();
                        latency[0][r] = e.latency().p50Ms();
                        latency[1][r] = e.latency().p99Ms();
                        pairs[1][r] = probe.bare();
                    }
                    double[] ratios = new double[config.runs()];
                    for (int r = 0; r < config.runs(); r++) {
                        ratios[r] = pairs[0][r] / pairs[1][r];
                    }
                    String what = String.format(Locale.ROOT, "ONNX Runtime eval, %s export (BN %s), width %s, batch %d, %d images",
                            options.precision().cliName(), options.foldBn() ? "folded" : "kept", width(), config.evalBatch(), test.size());
                    String key = "ort_" + variant;
                    String pipelined = what + ", pipelined evaluator (preprocessing included)";
                    String ratio = "ONNX Runtime " + variant + ": pipelined ÷ bare session.run (paired runs)";
                    offline = Stats.of(pairs[0]).median();
                    add(BenchFigures.ortPipelined(key + "_pipeline_img_s", pipelined, Stats.of(pairs[0]), config.width()));
                    add(Figure.plain(key + "_bare_img_s", what + ", bare session.run over pre-made tensors", "img/s", Stats.of(pairs[1])));
                    add(atReferenceSize()
                            ? Figure.atLeast(key + "_pipeline_over_bare", ratio, "×", Stats.of(ratios), 0.95, "≥ 0.95 (within 5 %)")
                            : Figure.plain(key + "_pipeline_over_bare", ratio, "×", Stats.of(ratios)));
                    add(Figure.plain(key + "_batch_p50_ms", "ONNX Runtime " + variant + ": batch latency p50 (pipelined)", "ms", Stats.of(latency[0])));
                    add(Figure.plain(key + "_batch_p99_ms", "ONNX Runtime " + variant + ": batch latency p99 (pipelined)", "ms", Stats.of(latency[1])));
                }
                if (variant.equals("fp32") || variant.equals("int8")) {
                    // the same file behind superconv serve, next to its offline throughput just measured
                    ServeLoadBench.measure(file, test, config, variant, offline, atReferenceSize(), this::add);
                }
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
        return version;
    }

    private Stats peak(Precision p) throws Exception {
        try (MatmulProbe probe = new MatmulProbe(config.matmulSize(), p)) {
            probe.check();
            int n = config.matmulSize();
            Stats s = Stats.measure(config.warmups(), config.runs(), () -> probe.run(3));
            add(Figure.plain("peak_" + p.flag() + "_gflop_s", String.format(Locale.ROOT, "Matmul rate: libtorch %d × %d × %d matmul, %s (measured)", n, n, n, p.flag()),
                    "GFLOP/s", s));
            return s;
        }
    }

    /** The issues' model targets are for ResNet-9 width 1; smaller test sizes get no verdict. */
    private boolean atReferenceSize() {
        return config.width() == 1.0;
    }

    private String width() {
        return BenchFigures.width(config.width());
    }
}
