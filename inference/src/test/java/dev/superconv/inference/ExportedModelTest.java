package dev.superconv.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.model.OutputKind;
import dev.superconv.core.model.Tta;
import dev.superconv.core.model.ValueRange;
import dev.superconv.export.Calibration;
import dev.superconv.export.ExportOptions;
import dev.superconv.export.OnnxExporter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on real superconv exports (random weights, width 0.25): every export option must give
 * the same predictions through {@code eval} as the plain fp32 model, up to the option's rounding.
 */
class ExportedModelTest {
    static final List<String> CIFAR10 = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");
    private static final int N = 96;

    @TempDir
    static Path dir;

    private static Checkpoint checkpoint;
    private static Dataset data;

    /** He-scaled convs, BN with positive and negative gammas, positive running variances. */
    static Checkpoint randomCheckpoint(double width, long seed) {
        ModelSpec spec = new ModelSpec(width, 0.125, 10);
        Random rnd = new Random(seed);
        Map<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>();
        for (ModelSpec.TensorSpec t : spec.stateTensors()) {
            float[] v = new float[(int) t.numel()];
            for (int i = 0; i < v.length; i++) {
                String n = t.name();
                double x;
                if (n.endsWith(".conv.weight")) {
                    x = rnd.nextGaussian() * Math.sqrt(2.0 / (t.shape()[1] * 9));
                } else if (n.endsWith(".bn.weight")) {
                    x = (0.5 + rnd.nextDouble()) * (rnd.nextDouble() < 0.2 ? -1 : 1);
                } else if (n.endsWith(".bn.running_var")) {
                    x = 0.5 + rnd.nextDouble();
                } else if (n.endsWith(".bn.bias") || n.endsWith(".bn.running_mean")) {
                    x = 0.02 * rnd.nextGaussian();
                } else {
                    x = rnd.nextGaussian() * Math.sqrt(1.0 / t.shape()[1]);
                }
                v[i] = (float) x;
            }
            if (t.name().equals("fc.weight")) {
                // ReLU features share a large common mode; zero-mean rows let the image decide the class
                int in = (int) t.shape()[1];
                for (int k = 0; k < t.shape()[0]; k++) {
                    double mean = 0;
                    for (int j = 0; j < in; j++) {
                        mean += v[k * in + j] / in;
                    }
                    for (int j = 0; j < in; j++) {
                        v[k * in + j] -= (float) mean;
                    }
                }
            }
            tensors.put(t.name(), new Checkpoint.Tensor(t.shape(), v));
        }
        ObjectNode meta = Checkpoint.newMeta();
        new ModelInfo(spec, CIFAR10, ModelInfo.CIFAR10_MEAN, ModelInfo.CIFAR10_STD).writeTo(meta);
        return new Checkpoint(meta, tensors);
    }

    @BeforeAll
    static void setUp() {
        checkpoint = randomCheckpoint(0.25, 41);
        byte[] labels = new byte[N];
        for (int i = 0; i < N; i++) {
            labels[i] = (byte) (i % 10);
        }
        data = new Dataset(variedImages(N, 42), labels, CIFAR10);
    }

    /** Images with a per-image colour, gradient direction and noise level, so a random net tells them apart. */
    static byte[] variedImages(int n, long seed) {
        Random rnd = new Random(seed);
        byte[] px = new byte[n * TestModels.PIXELS];
        for (int i = 0; i < n; i++) {
            double[] base = {rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)};
            double gy = rnd.nextGaussian() * 4;
            double gx = rnd.nextGaussian() * 4;
            double noise = rnd.nextDouble() * 60;
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    for (int c = 0; c < 3; c++) {
                        double v = base[c] + gy * (y - 16) * (c + 1) / 2 + gx * (x - 16) * (3 - c) / 2 + noise * rnd.nextGaussian();
                        px[i * TestModels.PIXELS + (y * 32 + x) * 3 + c] = (byte) Math.max(0, Math.min(255, Math.round(v)));
                    }
                }
            }
        }
        return px;
    }

    private static EvalResult eval(ExportOptions options, Tta tta) throws Exception {
        Path f = dir.resolve(options.toString().replaceAll("[^a-z0-9]+", "_") + ".onnx");
        OnnxExporter.export(checkpoint, options, f);
        try (OrtModel m = OrtModel.open(f, SessionSettings.defaults().withDevice(Device.CPU).withIntraOpThreads(1), new GpuProbe(dir.resolve("x"), List.of()))) {
            assertEquals(CIFAR10, m.classes());
            return OrtEvaluator.evaluate(m, data, new OrtEvaluator.Options(32, tta, true));
        }
    }

    private static void assertSame(EvalResult want, EvalResult got, double confidenceTolerance, int maxFlips) {
        int flips = 0;
        for (int i = 0; i < N; i++) {
            if (want.predictions()[i] != got.predictions()[i]) {
                flips++;
            } else {
                assertEquals(want.confidence()[i], got.confidence()[i], confidenceTolerance, "image " + i);
            }
        }
        assertTrue(flips <= maxFlips, flips + " predictions differ");
    }

    @Test
    void everyExportOptionPredictsLikeThePlainModel() throws Exception {
        ExportOptions plain = ExportOptions.DEFAULT;
        EvalResult base = eval(plain, Tta.NONE);
        // random weights still spread the predictions (else agreement would prove little)
        long distinct = java.util.Arrays.stream(base.predictions()).distinct().count();
        assertTrue(distinct >= 3, "only " + distinct + " distinct predictions");

        assertSame(base, eval(plain.withFoldBn(false), Tta.NONE), 1e-4, 1);
        assertSame(base, eval(plain.withInput(InputFormat.UINT8_NHWC), Tta.NONE), 1e-4, 1);
        assertSame(base, eval(plain.withOutput(OutputKind.PROBS), Tta.NONE), 1e-4, 1);
        assertSame(base, eval(plain.withPrecision(ExportOptions.Precision.FP16), Tta.NONE), 2e-2, 4);
    }

    @Test
    void activationRangesMeasureTheCalibrationGraphAndInt8PredictsLikeFp32() throws Exception {
        ExportOptions int8 = ExportOptions.DEFAULT.withPrecision(ExportOptions.Precision.INT8);
        SessionSettings cpu = SessionSettings.defaults().withDevice(Device.CPU).withIntraOpThreads(1);
        Path calibration = dir.resolve("calibration.onnx");
        OnnxExporter.export(checkpoint, int8, Calibration.measure(), calibration);
        List<String> points = OnnxExporter.activationPoints(checkpoint, int8);
        Map<String, ValueRange> ranges = ActivationRanges.measure(calibration, points, data, N, cpu);
        assertEquals(points, List.copyOf(ranges.keySet()));

        // the first point is the normalised input itself, so its range is known exactly
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < data.pixels().length; i++) {
            int c = i % 3;
            float v = ((data.pixels()[i] & 0xFF) / 255f - ModelInfo.CIFAR10_MEAN[c]) / ModelInfo.CIFAR10_STD[c];
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        assertEquals(lo, ranges.get("input.quantized").min(), 1e-5);
        assertEquals(hi, ranges.get("input.quantized").max(), 1e-5);
        Map<String, ValueRange> half = ActivationRanges.measure(calibration, points, data, N / 2, cpu);
        for (String p : points) {
            ValueRange r = ranges.get(p);
            assertTrue(r.max() > r.min(), p + " " + r);
            if (p.endsWith(".relu")) {
                assertEquals(0f, r.min(), p + " comes after a ReLU");
            }
            assertTrue(half.get(p).min() >= r.min() && half.get(p).max() <= r.max(), p + ": the range over half the images lies inside the range over all");
        }

        Path quantized = dir.resolve("int8.onnx");
        OnnxExporter.exportInt8(checkpoint, int8, (model, outputs) -> ActivationRanges.measure(model, outputs, data, N, cpu), quantized);
        EvalResult base = eval(ExportOptions.DEFAULT, Tta.NONE);
        try (OrtModel m = OrtModel.open(quantized, cpu, new GpuProbe(dir.resolve("x"), List.of()))) {
            EvalResult q = OrtEvaluator.evaluate(m, data, new OrtEvaluator.Options(32, Tta.NONE, true));
            int flips = 0;
            for (int i = 0; i < N; i++) {
                flips += q.predictions()[i] == base.predictions()[i] ? 0 : 1;
            }
            assertTrue(flips <= N / 10, flips + " of " + N + " int8 predictions differ from fp32");
        }
    }

    @Test
    void flipTtaInThePipelineMatchesTheExportedTtaGraph() throws Exception {
        EvalResult pipelineTta = eval(ExportOptions.DEFAULT, Tta.FLIP);
        EvalResult graphTta = eval(ExportOptions.DEFAULT.withTta(Tta.FLIP), Tta.NONE);
        assertEquals(dev.superconv.core.model.Tta.FLIP, pipelineTta.tta());
        assertEquals("flip (in graph)", graphTta.ttaDescription());
        assertSame(pipelineTta, graphTta, 1e-4, 1);
        // asking for TTA on a model that already has it in its graph runs it once (no double mirror)
        EvalResult both = eval(ExportOptions.DEFAULT.withTta(Tta.FLIP), Tta.FLIP);
        assertEquals("flip (in graph)", both.ttaDescription());
        assertArrayEquals(graphTta.predictions(), both.predictions());
    }

    @Test
    void flipTranslateTtaInThePipelineMatchesTheExportedTtaGraph() throws Exception {
        for (ExportOptions plain : List.of(ExportOptions.DEFAULT, ExportOptions.DEFAULT.withInput(InputFormat.UINT8_NHWC), ExportOptions.DEFAULT.withOutput(OutputKind.PROBS))) {
            EvalResult pipelineTta = eval(plain, Tta.FLIP_TRANSLATE);
            EvalResult graphTta = eval(plain.withTta(Tta.FLIP_TRANSLATE), Tta.NONE);
            assertEquals(Tta.FLIP_TRANSLATE, pipelineTta.tta());
            assertEquals("flip-translate", pipelineTta.ttaDescription());
            assertEquals("flip-translate (in graph)", graphTta.ttaDescription());
            assertSame(pipelineTta, graphTta, 1e-4, 1);
            // the shifted views change something, so the comparison can tell them from flip alone
            EvalResult flipOnly = eval(plain, Tta.FLIP);
            double maxConfidenceChange = 0;
            for (int i = 0; i < N; i++) {
                maxConfidenceChange = Math.max(maxConfidenceChange, Math.abs(flipOnly.confidence()[i] - pipelineTta.confidence()[i]));
            }
            assertTrue(maxConfidenceChange > 1e-3, plain + ": flip-translate scored like flip (max change " + maxConfidenceChange + ")");
        }
    }
}
