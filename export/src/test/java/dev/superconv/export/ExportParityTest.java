package dev.superconv.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.OutputKind;
import dev.superconv.core.model.Tta;
import dev.superconv.export.ExportOptions.Precision;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ONNX Runtime (CPU) running the exported file vs libtorch's functional ops on the checkpoint
 * tensors: max |Δ| ≤ 1e-4 in fp32 and ≤ 1e-2 in fp16, at batch sizes 7 and 1. Every option
 * combination at width 0.25 with 30 % negative BN gammas (so every pooled BN has a negative
 * scale); a covering subset at width 0.5; the default at width 1; all-positive gammas for the
 * fold-through-max-pool path.
 */
class ExportParityTest {
    private static final int BATCH = 7;
    private static final double NEGATIVE = 0.3;
    private static final Map<String, Fixture> FIXTURES = new HashMap<>();
    private static final Map<String, float[]> REFERENCES = new HashMap<>();

    @TempDir
    static Path dir;

    record Fixture(Checkpoint checkpoint, ModelSpec spec, byte[] pixels, float[] normalized) {}

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> s = Stream.builder();
        for (boolean fold : new boolean[] {true, false}) {
            for (InputFormat in : InputFormat.values()) {
                for (OutputKind out : OutputKind.values()) {
                    for (Tta tta : Tta.values()) {
                        for (Precision p : new Precision[] {Precision.FP32, Precision.FP16}) {
                            s.add(Arguments.of(0.25, NEGATIVE, new ExportOptions(fold, in, out, tta, p)));
                        }
                    }
                }
            }
        }
        ExportOptions d = ExportOptions.DEFAULT;
        for (ExportOptions o : new ExportOptions[] {
                d,
                d.withFoldBn(false).withInput(InputFormat.UINT8_NHWC).withOutput(OutputKind.PROBS).withTta(Tta.FLIP).withPrecision(Precision.FP16),
                d.withInput(InputFormat.UINT8_NHWC).withTta(Tta.FLIP),
                d.withFoldBn(false).withOutput(OutputKind.PROBS).withPrecision(Precision.FP16),
                d.withOutput(OutputKind.PROBS).withTta(Tta.FLIP).withPrecision(Precision.FP16),
                d.withFoldBn(false).withInput(InputFormat.UINT8_NHWC)}) {
            s.add(Arguments.of(0.5, NEGATIVE, o));
        }
        s.add(Arguments.of(1.0, NEGATIVE, d));
        for (double width : new double[] {0.25, 0.5}) {
            s.add(Arguments.of(width, 0.0, d));
            s.add(Arguments.of(width, 0.0, d.withInput(InputFormat.UINT8_NHWC).withPrecision(Precision.FP16)));
        }
        return s.build();
    }

    @ParameterizedTest(name = "width {0}, negative gammas {1}: {2}")
    @MethodSource("cases")
    void onnxRuntimeMatchesLibtorch(double width, double negativeGammas, ExportOptions options) throws Exception {
        Fixture f = fixture(width, negativeGammas);
        Tta tta = options.tta();
        boolean probs = options.output() == OutputKind.PROBS;
        float[] expected = REFERENCES.computeIfAbsent(width + "/" + negativeGammas + "/" + tta + "/" + probs,
                k -> TorchReference.run(f.checkpoint(), f.spec(), f.normalized(), BATCH, tta, probs));
        int classes = f.spec().numClasses();
        float spread = max(expected) - min(expected);
        assertTrue(spread > (probs ? 0.05f : 0.5f), "reference outputs are degenerate, spread " + spread);

        Path file = dir.resolve("w" + width + "-n" + negativeGammas + "-" + options.toString().replaceAll("[ ,]+", "_") + ".onnx");
        OnnxExporter.export(f.checkpoint(), options, file);
        double tolerance = options.precision() == Precision.FP16 ? 1e-2 : 1e-4;
        try (OrtRunner ort = new OrtRunner(file)) {
            boolean bytes = options.input() == InputFormat.UINT8_NHWC;
            float[] batch = bytes ? ort.runUint8(f.pixels(), BATCH) : ort.runFloat(f.normalized(), BATCH);
            float[] single = bytes ? ort.runUint8(f.pixels(), 1) : ort.runFloat(f.normalized(), 1);
            assertEquals(expected.length, batch.length);
            assertEquals(classes, single.length);
            double dBatch = maxAbsDiff(batch, expected);
            double dSingle = maxAbsDiff(single, Arrays.copyOf(expected, classes));
            System.out.printf("width %s neg %s %s: max|Δ| batch %.3g, single %.3g (spread %.3g)%n",
                    width, negativeGammas, options, dBatch, dSingle, spread);
            assertTrue(dBatch <= tolerance, "batch of " + BATCH + ": max |Δ| " + dBatch + " > " + tolerance);
            assertTrue(dSingle <= tolerance, "batch of 1: max |Δ| " + dSingle + " > " + tolerance);
        }
    }

    private static synchronized Fixture fixture(double width, double negativeGammas) {
        return FIXTURES.computeIfAbsent(width + "/" + negativeGammas, k -> {
            Checkpoint c = RandomCheckpoints.create(width, 42, negativeGammas);
            ModelInfo info = ModelInfo.of(c);
            Random rnd = new Random(7);
            byte[] pixels = new byte[BATCH * 32 * 32 * 3];
            rnd.nextBytes(pixels);
            return new Fixture(c, info.spec(), pixels, normalize(pixels, info));
        });
    }

    /** uint8 NHWC → float NCHW, (p/255 − mean)/std: what a client of a float-nchw model sends. */
    static float[] normalize(byte[] nhwc, ModelInfo info) {
        int n = nhwc.length / (32 * 32 * 3);
        float[] out = new float[nhwc.length];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    for (int c = 0; c < 3; c++) {
                        float p = (nhwc[((i * 32 + y) * 32 + x) * 3 + c] & 0xFF) / 255f;
                        out[((i * 3 + c) * 32 + y) * 32 + x] = (p - info.mean()[c]) / info.std()[c];
                    }
                }
            }
        }
        return out;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    private static float max(float[] a) {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static float min(float[] a) {
        float m = Float.POSITIVE_INFINITY;
        for (float v : a) {
            m = Math.min(m, v);
        }
        return m;
    }
}
