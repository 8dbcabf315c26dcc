package dev.superconv.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.OutputKind;
import dev.superconv.core.model.Tta;
import dev.superconv.core.model.ValueRange;
import dev.superconv.core.model.InputFormat;
import dev.superconv.export.ExportOptions.Precision;
import dev.superconv.export.Quantization.Int8Weights;
import dev.superconv.export.Quantization.UInt8Params;
import dev.superconv.export.onnx.ModelProto;
import dev.superconv.export.onnx.NodeProto;
import dev.superconv.export.onnx.TensorProto;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The int8 (QDQ) export: the quantisation arithmetic exactly, the calibration graph as the same
 * function as the fp32 export (including the sign split for negative BN scales before a max-pool),
 * the int8 graph close to fp32, and ONNX Runtime actually running integer kernels for it.
 */
class Int8ExportTest {
    private static final int BATCH = 64;
    private static final ExportOptions INT8 = ExportOptions.DEFAULT.withPrecision(Precision.INT8);

    @TempDir
    Path dir;

    @Test
    void uint8ParametersCoverTheRangeWithZeroExact() {
        assertEquals(new UInt8Params(2.55f / 255f, 0), UInt8Params.of(new ValueRange(0f, 2.55f)));
        assertEquals(new UInt8Params(2.55f / 255f, 50), UInt8Params.of(new ValueRange(-0.5f, 2.05f)));
        // widened to hold 0: [−2, 0]
        assertEquals(new UInt8Params(2f / 255f, 255), UInt8Params.of(new ValueRange(-2f, -1f)));
        assertEquals(new UInt8Params(1f, 0), UInt8Params.of(new ValueRange(0f, 0f)));
    }

    @Test
    void weightsAreSymmetricInt8PerOutputChannel() {
        Int8Weights w = Int8Weights.of(new float[] {1.27f, -0.5f, 0.03f, 0f, 0f, 0f, 0f, 0f}, 2);
        assertArrayEquals(new float[] {1.27f / 127f, 1f}, w.scales());
        assertArrayEquals(new byte[] {127, -50, 3, 0, 0, 0, 0, 0}, w.values());
        assertArrayEquals(new int[] {1000, -250}, Quantization.quantizeBias(new float[] {1f, -0.5f}, 0.1f, new float[] {0.01f, 0.02f}));
    }

    @Test
    void int8NeedsCalibrationAndFoldedBatchNorm() {
        Checkpoint c = RandomCheckpoints.create(0.25, 3, 0.3);
        assertThrows(BadInputException.class, () -> OnnxExporter.toProto(c, INT8));
        assertThrows(BadInputException.class, () -> OnnxExporter.toProto(c, ExportOptions.DEFAULT, Calibration.measure()));
        assertThrows(BadInputException.class, () -> INT8.withFoldBn(false));
        List<String> points = OnnxExporter.activationPoints(c, INT8);
        Map<String, ValueRange> missingOne = new HashMap<>();
        points.subList(1, points.size()).forEach(p -> missingOne.put(p, new ValueRange(0, 1)));
        assertThrows(BadInputException.class, () -> OnnxExporter.toProto(c, INT8, Calibration.measured(missingOne)));
    }

    @Test
    void everyInt8VariantIsValidWithAllEightConvsOnInt8Weights() {
        Checkpoint c = RandomCheckpoints.create(0.25, 3, 0.3);
        for (InputFormat in : InputFormat.values()) {
            for (OutputKind out : OutputKind.values()) {
                for (Tta tta : Tta.values()) {
                    ExportOptions o = new ExportOptions(true, in, out, tta, Precision.INT8);
                    Map<String, ValueRange> ranges = new HashMap<>();
                    OnnxExporter.activationPoints(c, o).forEach(p -> ranges.put(p, new ValueRange(-1, 3)));
                    ModelProto m = OnnxExporter.toProto(c, o, Calibration.measured(ranges));
                    assertEquals(List.of(), OnnxValidator.problems(m), o.toString());
                    List<NodeProto> convs = ExportFixtures.nodes(m, "Conv");
                    assertEquals(8, convs.size());
                    for (NodeProto conv : convs) {
                        TensorProto w = ExportFixtures.initializer(m, conv.getName() + ".weight.int8");
                        assertEquals(TensorProto.DataType.INT8.getNumber(), w.getDataType(), conv.getName());
                        assertTrue(conv.getInput(0).endsWith(".dq"), conv.getName() + " reads " + conv.getInput(0));
                    }
                    assertEquals("int8", m.getMetadataPropsList().stream()
                            .filter(e -> e.getKey().equals("precision")).findFirst().orElseThrow().getValue());
                }
            }
        }
    }

    @Test
    void calibrationGraphIsTheFp32FunctionAndExposesEveryPoint() throws Exception {
        // 30 % negative BN scales: the blocks with a max-pool take the sign-split form
        Checkpoint c = RandomCheckpoints.create(0.25, 11, 0.3);
        float[] images = images(c, 1);
        Path fp32 = dir.resolve("fp32.onnx");
        Path calibration = dir.resolve("calibration.onnx");
        OnnxExporter.export(c, ExportOptions.DEFAULT, fp32);
        OnnxExporter.export(c, INT8, Calibration.measure(), calibration);
        List<String> points = OnnxExporter.activationPoints(c, INT8);
        assertEquals(9 + 2 + 1 + 2, points.size(), "input, 8 blocks, 2 residual adds, plus conv outputs of the sign-split blocks: " + points);
        float[] expected;
        try (OrtRunner ort = new OrtRunner(fp32)) {
            expected = ort.runFloat(images, BATCH);
        }
        try (OrtRunner ort = new OrtRunner(calibration)) {
            float[] got = ort.runFloat(images, BATCH);
            assertTrue(ExportParityTest.maxAbsDiff(got, expected) <= 1e-4, "max |Δ| " + ExportParityTest.maxAbsDiff(got, expected));
            Map<String, float[]> values = ort.runOutputs(images, BATCH, points);
            assertEquals(points.size(), values.size());
        }
    }

    @Test
    void int8LogitsStayCloseToFp32AndOnnxRuntimeRunsIntegerKernels() throws Exception {
        Checkpoint c = RandomCheckpoints.create(0.5, 5, 0.3);
        Path fp32 = dir.resolve("fp32.onnx");
        Path int8 = dir.resolve("int8.onnx");
        Path optimized = dir.resolve("int8.optimized.onnx");
        OnnxExporter.export(c, ExportOptions.DEFAULT, fp32);
        Map<String, ValueRange> ranges = measure(c, images(c, 2));
        OnnxExporter.export(c, INT8, Calibration.measured(ranges), int8);

        float[] test = images(c, 3);
        float[] expected;
        try (OrtRunner ort = new OrtRunner(fp32)) {
            expected = ort.runFloat(test, BATCH);
        }
        float[] got;
        try (OrtRunner ort = new OrtRunner(int8, optimized)) {
            got = ort.runFloat(test, BATCH);
        }
        int classes = ModelInfo.of(c).spec().numClasses();
        double spread = 0;
        int agree = 0;
        for (int i = 0; i < BATCH; i++) {
            agree += argmax(got, i, classes) == argmax(expected, i, classes) ? 1 : 0;
            for (int k = 0; k < classes; k++) {
                spread = Math.max(spread, Math.abs(expected[i * classes + k]));
            }
        }
        double error = ExportParityTest.maxAbsDiff(got, expected);
        System.out.printf("int8 vs fp32: max|Δ| %.4g (max |logit| %.4g), arg-max agreement %d/%d%n", error, spread, agree, BATCH);
        assertTrue(error <= 0.1 * spread, "int8 logits are off by " + error + " at logit scale " + spread);
        assertTrue(agree >= 0.9 * BATCH, "arg-max agreement " + agree + "/" + BATCH);

        // what ONNX Runtime really runs: every conv as QLinearConv, no float Conv left
        Map<String, Long> ops = OnnxReader.read(optimized).getGraph().getNodeList().stream()
                .collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
        assertEquals(8L, ops.getOrDefault("QLinearConv", 0L), "optimised graph ops " + ops);
        assertEquals(0L, ops.getOrDefault("Conv", 0L), "optimised graph ops " + ops);
    }

    /** Ranges of every activation point over 64 images, as the CLI's calibration pass measures them. */
    private Map<String, ValueRange> measure(Checkpoint c, float[] images) throws Exception {
        Path calibration = dir.resolve("calibration.onnx");
        OnnxExporter.export(c, INT8, Calibration.measure(), calibration);
        List<String> points = OnnxExporter.activationPoints(c, INT8);
        Map<String, ValueRange> ranges = new HashMap<>();
        try (OrtRunner ort = new OrtRunner(calibration)) {
            ort.runOutputs(images, BATCH, points).forEach((name, v) -> ranges.put(name, ValueRange.EMPTY.including(v, v.length)));
        }
        return ranges;
    }

    private static float[] images(Checkpoint c, long seed) {
        byte[] pixels = new byte[BATCH * 32 * 32 * 3];
        new Random(seed).nextBytes(pixels);
        return ExportParityTest.normalize(pixels, ModelInfo.of(c));
    }

    private static int argmax(float[] scores, int row, int classes) {
        int best = 0;
        for (int k = 1; k < classes; k++) {
            best = scores[row * classes + k] > scores[row * classes + best] ? k : best;
        }
        return best;
    }
}
