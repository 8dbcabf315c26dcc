package dev.superconv.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.model.ValueRange;
import dev.superconv.export.ExportOptions.Precision;
import dev.superconv.export.onnx.AttributeProto;
import dev.superconv.export.onnx.ModelProto;
import dev.superconv.export.onnx.NodeProto;
import dev.superconv.export.onnx.TensorProto;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The logit scale is folded into the FC weights: the head is a plain {@code Gemm(transB = 1)} with no
 * {@code alpha} (some ONNX runtimes ignore it), {@code fc.weight} holds {@code scale · W}, the
 * metadata still names the scale, and the logits still match libtorch's {@code scale · (x · Wᵀ)}.
 * The scale 0.3 is not a power of two, so the fold really rounds.
 */
class LogitScaleFoldTest {
    private static final double SCALE = 0.3;
    private static final int BATCH = 7;

    @TempDir Path dir;

    private static Checkpoint withLogitScale(Checkpoint c, double scale) {
        ModelInfo info = ModelInfo.of(c);
        ObjectNode meta = c.meta().deepCopy();
        new ModelInfo(new ModelSpec(info.spec().width(), scale, info.spec().numClasses()), info.classes(), info.mean(), info.std()).writeTo(meta);
        return new Checkpoint(meta, c.tensors());
    }

    @Test
    void theHeadIsAGemmWithoutAlphaOnScaledWeightsInEveryPrecision() {
        Checkpoint c = withLogitScale(RandomCheckpoints.create(0.25, 21, 0.3), SCALE);
        float[] w = c.tensor("fc.weight").data();
        float[] scaled = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            scaled[i] = (float) (SCALE * w[i]);
        }
        Map<String, ValueRange> ranges = new HashMap<>();
        ExportOptions int8 = ExportOptions.DEFAULT.withPrecision(Precision.INT8);
        OnnxExporter.activationPoints(c, int8).forEach(p -> ranges.put(p, new ValueRange(-1, 3)));
        Map<Precision, ModelProto> models = Map.of(
                Precision.FP32, OnnxExporter.toProto(c, ExportOptions.DEFAULT),
                Precision.FP16, OnnxExporter.toProto(c, ExportOptions.DEFAULT.withPrecision(Precision.FP16)),
                Precision.INT8, OnnxExporter.toProto(c, int8, Calibration.measured(ranges)));
        for (var e : models.entrySet()) {
            ModelProto m = e.getValue();
            List<NodeProto> gemms = ExportFixtures.nodes(m, "Gemm");
            assertEquals(1, gemms.size(), e.getKey().toString());
            NodeProto gemm = gemms.get(0);
            for (AttributeProto a : gemm.getAttributeList()) {
                assertTrue(!a.getName().equals("alpha") || a.getF() == 1f, e.getKey() + ": Gemm alpha " + a.getF());
                assertTrue(!a.getName().equals("beta") || a.getF() == 1f, e.getKey() + ": Gemm beta " + a.getF());
            }
            assertEquals(1L, gemm.getAttributeList().stream().filter(a -> a.getName().equals("transB")).findFirst().orElseThrow().getI());
            TensorProto fc = ExportFixtures.initializer(m, gemm.getInput(1));
            assertEquals(TensorProto.DataType.FLOAT_VALUE, fc.getDataType(), e.getKey().toString());
            assertArrayEquals(scaled, floats(fc), e.getKey() + ": fc.weight is scale · W, rounded once");
            assertEquals("0.3", m.getMetadataPropsList().stream().filter(p -> p.getKey().equals("logit_scale")).findFirst().orElseThrow().getValue());
        }
    }

    @Test
    void logitsStillMatchLibtorchAfterTheFold() throws Exception {
        Checkpoint c = withLogitScale(RandomCheckpoints.create(0.25, 22, 0.3), SCALE);
        ModelInfo info = ModelInfo.of(c);
        byte[] pixels = new byte[BATCH * 32 * 32 * 3];
        new Random(8).nextBytes(pixels);
        float[] input = ExportParityTest.normalize(pixels, info);
        float[] expected = TorchReference.run(c, info.spec(), input, BATCH, dev.superconv.core.model.Tta.NONE, false);
        for (Precision p : new Precision[] {Precision.FP32, Precision.FP16}) {
            Path file = dir.resolve(p + ".onnx");
            OnnxExporter.export(c, ExportOptions.DEFAULT.withPrecision(p), file);
            try (OrtRunner ort = new OrtRunner(file)) {
                double d = ExportParityTest.maxAbsDiff(ort.runFloat(input, BATCH), expected);
                double tolerance = p == Precision.FP32 ? 1e-4 : 1e-2;
                assertTrue(d <= tolerance, p + ": max |Δ| " + d + " > " + tolerance);
            }
        }
    }

    private static float[] floats(TensorProto t) {
        FloatBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] v = new float[b.remaining()];
        b.get(v);
        return v;
    }
}
