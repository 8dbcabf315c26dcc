package dev.superconv.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.bindings.LayerNet;
import dev.superconv.bindings.Natives;
import dev.superconv.bindings.TtaForward;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.Layer;
import dev.superconv.core.model.ModelConfig;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.Tta;
import dev.superconv.core.recipe.Presets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A net trained at S×S (S ≠ 32) exports a graph taking S×S that computes libtorch's logits, float or uint8 input. */
class AnySizeExportParityTest {
    private static final int BATCH = 3;

    @TempDir Path dir;

    private static Checkpoint checkpoint(ModelConfig model, int size) {
        Natives.load();
        ModelInfo info = new ModelInfo(model, RandomCheckpoints.CIFAR10, ModelInfo.CIFAR10_MEAN, ModelInfo.CIFAR10_STD, size);
        Random rnd = new Random(5);
        Map<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>();
        try (LayerNet net = LayerNet.of(info)) {
            net.exportState().forEach((name, t) -> {
                float[] v = t.data().clone();
                if (name.endsWith("running_var")) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (0.5 + rnd.nextDouble());
                    }
                } else if (name.equals("head.weight") || name.equals("fc.weight")) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] *= 100; // logits of order 1
                    }
                } else if (name.endsWith("running_mean") || name.endsWith(".bias")) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (0.2 * rnd.nextGaussian());
                    }
                }
                tensors.put(name, new Checkpoint.Tensor(t.shape(), v));
            });
        }
        ObjectNode meta = Checkpoint.newMeta();
        info.writeTo(meta);
        return new Checkpoint(meta, tensors);
    }

    private static float[] torchLogits(Checkpoint c, float[] x, int n, int s, Tta tta) {
        ModelInfo info = ModelInfo.of(c);
        try (LayerNet net = LayerNet.of(info); PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            net.importState(c);
            net.eval();
            Tensor in = torch.from_blob(new FloatPointer(x), new long[] {n, 3, s, s}).clone();
            Tensor out = TtaForward.logits(net::forward, in, tta).contiguous();
            float[] v = new float[n * info.numClasses()];
            out.data_ptr_float().get(v);
            return v;
        }
    }

    private static float[] normalize(byte[] nhwc, int n, int s) {
        float[] out = new float[nhwc.length];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    for (int c = 0; c < 3; c++) {
                        float p = (nhwc[((i * s + y) * s + x) * 3 + c] & 0xFF) / 255f;
                        out[((i * 3 + c) * s + y) * s + x] = (p - ModelInfo.CIFAR10_MEAN[c]) / ModelInfo.CIFAR10_STD[c];
                    }
                }
            }
        }
        return out;
    }

    private void assertParity(Checkpoint c, int s, ExportOptions options) throws Exception {
        byte[] pixels = new byte[BATCH * s * s * 3];
        new Random(s).nextBytes(pixels);
        float[] x = normalize(pixels, BATCH, s);
        float[] expected = torchLogits(c, x, BATCH, s, options.tta());
        Path file = dir.resolve("s" + s + "-" + options.toString().replaceAll("[^a-zA-Z0-9]+", "_") + ".onnx");
        OnnxExporter.export(c, options, file);
        try (OrtRunner ort = new OrtRunner(file)) {
            boolean bytes = options.input() == InputFormat.UINT8_NHWC;
            assertArrayEquals(bytes ? new long[] {-1, s, s, 3} : new long[] {-1, 3, s, s}, ort.inputShape(), "the graph takes the trained size");
            assertEquals(Integer.toString(s), ort.metadata().get("image_size"));
            assertEquals("short-side-area-centre-crop-v1@" + s, ort.metadata().get("resize_policy"));
            float[] actual = bytes ? ort.runUint8(pixels, BATCH, s) : ort.runFloat(x, BATCH, s);
            double worst = 0, spread = 0;
            for (int i = 0; i < expected.length; i++) {
                worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
                spread = Math.max(spread, Math.abs(expected[i]));
            }
            System.out.printf("size %d %s: max|Δ| %.3g (max |logit| %.3g)%n", s, options, worst, spread);
            assertTrue(spread > 0.5, "reference logits are degenerate: " + spread);
            assertTrue(worst <= 1e-4, s + " " + options + ": max |Δ| " + worst);
        }
    }

    @Test
    void customResNetAt64And48MatchesLibtorch() throws Exception {
        ModelConfig m = ModelConfig.customResNet(0.25, 0.125);
        for (int s : new int[] {64, 48}) {
            Checkpoint c = checkpoint(m, s);
            assertEquals(s, ModelInfo.of(c).imageSize(), "the checkpoint records its size");
            assertParity(c, s, ExportOptions.DEFAULT);
            assertParity(c, s, ExportOptions.DEFAULT.withInput(InputFormat.UINT8_NHWC).withTta(Tta.FLIP));
        }
    }

    @Test
    void airbenchAt40MatchesLibtorch() throws Exception {
        ModelConfig m = new ModelConfig(ModelConfig.ArchitectureKind.AIRBENCH, 0.25, 1.0 / 9, Layer.Function.GELU,
                Presets.AIRBENCH.config().model().batchNorm(), Presets.AIRBENCH.config().model().firstLayer(), true);
        Checkpoint c = checkpoint(m, 40);
        assertParity(c, 40, ExportOptions.DEFAULT.withTta(Tta.FLIP_TRANSLATE));
        assertParity(c, 40, ExportOptions.DEFAULT.withInput(InputFormat.UINT8_NHWC));
    }
}
