package dev.superconv.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.bindings.LayerNet;
import dev.superconv.bindings.Natives;
import dev.superconv.bindings.TtaForward;
import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.Layer;
import dev.superconv.core.model.ModelConfig;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.OutputKind;
import dev.superconv.core.model.Tta;
import dev.superconv.core.recipe.Presets;
import dev.superconv.export.ExportOptions.Precision;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The airbench net (and a GELU/CELU Custom ResNet, and the bag-of-tricks one with its whitening front) exported to ONNX computes libtorch's logits, at every TTA level. */
class AirbenchExportParityTest {
    private static final int BATCH = 6;

    @TempDir Path dir;

    /** A random airbench checkpoint at {@code width}: random weights, BN statistics and biases away from their init. */
    private static Checkpoint checkpoint(ModelConfig model) {
        Natives.load();
        ModelInfo info = new ModelInfo(model, RandomCheckpoints.CIFAR10, ModelInfo.CIFAR10_MEAN, ModelInfo.CIFAR10_STD);
        Random rnd = new Random(3);
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
                        v[i] *= 100; // logits of order 1, so the tolerance below means something
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

    private static float[] images(int n) {
        Random rnd = new Random(11);
        float[] x = new float[n * 3 * 32 * 32];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    /** libtorch's logits of the checkpoint's net under {@code tta}, eval mode. */
    private static float[] torchLogits(Checkpoint c, float[] x, int n, Tta tta) {
        ModelInfo info = ModelInfo.of(c);
        try (LayerNet net = LayerNet.of(info); PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            net.importState(c);
            net.eval();
            Tensor in = torch.from_blob(new FloatPointer(x), new long[] {n, 3, 32, 32}).clone();
            Tensor out = TtaForward.logits(net::forward, in, tta).contiguous();
            float[] v = new float[n * info.numClasses()];
            out.data_ptr_float().get(v);
            return v;
        }
    }

    private void assertParity(Checkpoint c, ExportOptions options, double tolerance) throws Exception {
        float[] x = images(BATCH);
        float[] expected = torchLogits(c, x, BATCH, options.tta());
        Path file = dir.resolve(options.toString().replaceAll("[^a-zA-Z0-9]+", "_") + ".onnx");
        OnnxExporter.export(c, options, file);
        try (OrtRunner ort = new OrtRunner(file)) {
            float[] actual = ort.runFloat(x, BATCH);
            assertEquals(expected.length, actual.length);
            double worst = 0, spread = 0;
            for (int i = 0; i < expected.length; i++) {
                worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
                spread = Math.max(spread, Math.abs(expected[i]));
            }
            System.out.printf("%s: max|Δ| %.3g (max |logit| %.3g)%n", options, worst, spread);
            assertTrue(spread > 0.5, "reference logits are degenerate: " + spread);
            assertTrue(worst <= tolerance, options + ": max |Δ| " + worst + " > " + tolerance);
        }
    }

    @Test
    void airbenchNetMatchesLibtorchAtEveryTtaLevelFoldedOrNot() throws Exception {
        Checkpoint c = checkpoint(new ModelConfig(ModelConfig.ArchitectureKind.AIRBENCH, 0.25, 1.0 / 9, Layer.Function.GELU,
                Presets.AIRBENCH.config().model().batchNorm(), Presets.AIRBENCH.config().model().firstLayer(), true));
        ExportOptions d = ExportOptions.DEFAULT;
        for (Tta tta : Tta.values()) {
            assertParity(c, d.withTta(tta), 1e-4);
        }
        assertParity(c, d.withFoldBn(false).withTta(Tta.FLIP_TRANSLATE), 1e-4);
        assertParity(c, d.withPrecision(Precision.FP16), 2e-2);
        // int8 needs ReLU blocks: refused with one line
        BadInputException e = assertThrows(BadInputException.class, () -> OnnxExporter.exportInt8(c, d.withPrecision(Precision.INT8),
                (graph, outputs) -> Map.of(), dir.resolve("int8.onnx")));
        assertTrue(e.getMessage().contains("ReLU"), e.getMessage());
    }

    @Test
    void customResNetWithGeluOrCeluMatchesLibtorch() throws Exception {
        for (Layer.Function f : List.of(Layer.Function.GELU, Layer.Function.CELU)) {
            ModelConfig m = new ModelConfig(ModelConfig.ArchitectureKind.CUSTOM_RESNET, 0.25, 0.125, f,
                    dev.superconv.core.model.BatchNormSettings.PYTORCH, new ModelConfig.Learned(), false);
            assertParity(checkpoint(m), ExportOptions.DEFAULT.withTta(Tta.FLIP), 1e-4);
        }
    }

    @Test
    void bagOfTricksNetWithItsWhiteningFrontMatchesLibtorch() throws Exception {
        ModelConfig preset = Presets.BAG_OF_TRICKS.config().model();
        ModelConfig m = new ModelConfig(preset.architecture(), 0.25, preset.logitScale(), preset.activation(), preset.batchNorm(), preset.firstLayer(), preset.diracInit());
        Checkpoint c = checkpoint(m);
        for (Tta tta : Tta.values()) {
            assertParity(c, ExportOptions.DEFAULT.withTta(tta), 1e-4);
        }
        assertParity(c, ExportOptions.DEFAULT.withFoldBn(false).withTta(Tta.FLIP), 1e-4);
    }
}
