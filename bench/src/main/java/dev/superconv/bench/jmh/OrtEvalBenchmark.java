package dev.superconv.bench.jmh;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.export.ExportOptions;
import dev.superconv.export.OnnxExporter;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.Tta;
import dev.superconv.inference.EvalResult;
import dev.superconv.inference.OrtEvaluator;
import dev.superconv.inference.GpuProbe;
import dev.superconv.inference.LatencyStats;
import dev.superconv.inference.OrtModel;
import dev.superconv.inference.SessionSettings;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End-to-end evaluation of the 10,000-image CIFAR-10 test split with ONNX Runtime on the CPU,
 * ResNet-9 width 1 with random weights (speed does not depend on the weights), pixels already
 * decoded (decoding excluded, preprocessing included):
 * <ul>
 *   <li>{@code pipeline}: {@link OrtEvaluator} as {@code superconv eval} runs it (Vector API
 *       normalisation of batch k+1 overlapping the session's run of batch k);</li>
 *   <li>{@code sequential}: the same, preprocessing and inference taking turns;</li>
 *   <li>{@code bareRun}: only {@code session.run} over tensors normalised before the benchmark, the
 *       ceiling the pipeline is measured against.</li>
 * </ul>
 * Scores are seconds per image (JMH single-shot); each invocation also prints images/s and the
 * batch latency percentiles. Variants: fp32/fp16 exports with and without BatchNorm folding, and
 * the uint8-input export (normalisation inside the graph, the pipeline only copies bytes).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx3g"})
public class OrtEvalBenchmark {
    static final int IMAGES = 10_000;

    @Param({"fp32-fold", "fp32-nofold", "fp16-fold", "fp16-nofold", "uint8-fold"})
    public String variant;

    @Param({"256"})
    public int batch;

    /** ONNX Runtime intra-op threads; 0 = its default (one per physical core). */
    @Param({"0"})
    public int threads;

    private Path dir;
    private OrtModel model;
    private Dataset data;
    private final List<OnnxTensor> inputs = new ArrayList<>();
    private final List<OnnxTensor> outputs = new ArrayList<>();

    @Setup
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("superconv-ort-bench");
        Path file = dir.resolve(variant + ".onnx");
        OnnxExporter.export(randomCheckpoint(1.0, 7), exportOptions(variant), file);
        SessionSettings settings = SessionSettings.defaults().withDevice(Device.CPU).withIntraOpThreads(threads);
        model = OrtModel.open(file, settings, GpuProbe.host());
        data = BenchData.randomDataset(IMAGES, 3);
        premadeTensors();
    }

    static ExportOptions exportOptions(String variant) {
        ExportOptions o = ExportOptions.DEFAULT.withFoldBn(variant.endsWith("-fold"));
        if (variant.startsWith("fp16")) {
            o = o.withPrecision(ExportOptions.Precision.FP16);
        } else if (variant.startsWith("uint8")) {
            o = o.withInput(InputFormat.UINT8_NHWC);
        }
        return o;
    }

    /** Every batch's input, preprocessed once, in direct buffers; outputs pinned like the pipeline's. */
    private void premadeTensors() throws OrtException {
        Normalize norm = new Normalize(ModelInfo.CIFAR10_MEAN, ModelInfo.CIFAR10_STD);
        boolean bytes = variant.startsWith("uint8");
        byte[] pixels = data.pixels(); // once: a mapped set is copied by pixels()
        for (int start = 0; start < IMAGES; start += batch) {
            int n = Math.min(batch, IMAGES - start);
            ByteBuffer in = ByteBuffer.allocateDirect(n * Dataset.IMAGE_BYTES * (bytes ? 1 : 4)).order(ByteOrder.nativeOrder());
            if (bytes) {
                in.put(pixels, start * Dataset.IMAGE_BYTES, n * Dataset.IMAGE_BYTES).flip();
                inputs.add(OnnxTensor.createTensor(model.environment(), in, new long[] {n, 32, 32, 3}, ai.onnxruntime.OnnxJavaType.UINT8));
            } else {
                norm.toFloats(pixels, start * Dataset.IMAGE_BYTES, n, 32, 32, MemorySegment.ofBuffer(in), 0, Layout.NCHW);
                inputs.add(OnnxTensor.createTensor(model.environment(), in.asFloatBuffer(), new long[] {n, 3, 32, 32}));
            }
            FloatBuffer out = ByteBuffer.allocateDirect(n * 10 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            outputs.add(OnnxTensor.createTensor(model.environment(), out, new long[] {n, 10}));
        }
    }

    @Benchmark
    @OperationsPerInvocation(IMAGES)
    public double pipeline() throws Exception {
        EvalResult r = OrtEvaluator.evaluate(model, data, new OrtEvaluator.Options(batch, Tta.NONE, true));
        report("pipeline", r.imagesPerSecond(), r.latency());
        return r.accuracy();
    }

    @Benchmark
    @OperationsPerInvocation(IMAGES)
    public double sequential() throws Exception {
        EvalResult r = OrtEvaluator.evaluate(model, data, new OrtEvaluator.Options(batch, Tta.NONE, false));
        report("sequential", r.imagesPerSecond(), r.latency());
        return r.accuracy();
    }

    @Benchmark
    @OperationsPerInvocation(IMAGES)
    public float bareRun() throws Exception {
        long[] ns = new long[inputs.size()];
        long t0 = System.nanoTime();
        float sink = 0;
        for (int b = 0; b < inputs.size(); b++) {
            long s = System.nanoTime();
            model.run(inputs.get(b), outputs.get(b));
            ns[b] = System.nanoTime() - s;
            sink += outputs.get(b).getFloatBuffer().get(0);
        }
        report("bareRun", IMAGES / ((System.nanoTime() - t0) / 1e9), LatencyStats.of(ns));
        return sink;
    }

    private void report(String what, double imagesPerSecond, LatencyStats l) {
        System.out.printf(Locale.ROOT, "%n[%s %s batch %d] %.1f images/s; batch latency ms p50 %.1f p95 %.1f p99 %.1f%n",
                what, variant, batch, imagesPerSecond, l.p50Ms(), l.p95Ms(), l.p99Ms());
    }

    @TearDown
    public void tearDown() throws Exception {
        inputs.forEach(OnnxTensor::close);
        outputs.forEach(OnnxTensor::close);
        model.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    /** ResNet-9 at {@code width} with random He-scaled weights and positive BN variances. */
    static Checkpoint randomCheckpoint(double width, long seed) {
        ModelSpec spec = ModelSpec.cifar10(width);
        Random rnd = new Random(seed);
        Map<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>();
        for (ModelSpec.TensorSpec t : spec.stateTensors()) {
            float[] v = new float[(int) t.numel()];
            String n = t.name();
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (n.endsWith(".conv.weight") ? rnd.nextGaussian() * Math.sqrt(2.0 / (t.shape()[1] * 9))
                        : n.endsWith(".bn.weight") || n.endsWith(".bn.running_var") ? 0.5 + rnd.nextDouble()
                        : n.endsWith(".bn.bias") || n.endsWith(".bn.running_mean") ? 0.1 * rnd.nextGaussian()
                        : rnd.nextGaussian() / Math.sqrt(t.shape()[1]));
            }
            tensors.put(n, new Checkpoint.Tensor(t.shape(), v));
        }
        ObjectNode meta = Checkpoint.newMeta();
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            classes.add("class" + c);
        }
        new ModelInfo(spec, classes, ModelInfo.CIFAR10_MEAN, ModelInfo.CIFAR10_STD).writeTo(meta);
        return new Checkpoint(meta, tensors);
    }
}
