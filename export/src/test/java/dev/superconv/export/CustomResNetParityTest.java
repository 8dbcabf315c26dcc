package dev.superconv.export;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.bindings.LayerNet;
import dev.superconv.bindings.Natives;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.model.InputFormat;
import dev.superconv.export.ExportOptions.Precision;
import java.nio.file.Path;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trainer's own model: {@link LayerNet} in eval mode, loaded from a checkpoint or saving
 * its own state, against ONNX Runtime running the export (folded fp32 with float input, and uint8
 * input in fp16).
 */
class CustomResNetParityTest {
    private static final int BATCH = 7;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "width {0}")
    @ValueSource(doubles = {0.25, 0.5})
    void exportMatchesTheTrainersModule(double width) throws Exception {
        Natives.load();
        Checkpoint c = RandomCheckpoints.create(width, 9, 0.3);
        ModelInfo info = ModelInfo.of(c);
        byte[] pixels = new byte[BATCH * 32 * 32 * 3];
        new Random(3).nextBytes(pixels);
        float[] input = ExportParityTest.normalize(pixels, info);
        float[] expected;
        try (LayerNet model = LayerNet.customResNet(info.spec()); PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            model.importState(c);
            model.eval();
            Tensor logits = model.forward(TorchReference.fromArray(input, BATCH, 3, 32, 32));
            expected = TorchReference.toArray(logits, BATCH * info.spec().numClasses());
        }
        Path fp32 = dir.resolve("fp32.onnx");
        OnnxExporter.export(c, ExportOptions.DEFAULT, fp32);
        try (OrtRunner ort = new OrtRunner(fp32)) {
            double d = ExportParityTest.maxAbsDiff(ort.runFloat(input, BATCH), expected);
            System.out.printf("width %s fp32: max |Δ| %.3g%n", width, d);
            assertTrue(d <= 1e-4, "fp32 max |Δ| " + d);
        }
        Path fp16 = dir.resolve("fp16.onnx");
        OnnxExporter.export(c, ExportOptions.DEFAULT.withInput(InputFormat.UINT8_NHWC).withPrecision(Precision.FP16), fp16);
        try (OrtRunner ort = new OrtRunner(fp16)) {
            double d = ExportParityTest.maxAbsDiff(ort.runUint8(pixels, BATCH), expected);
            System.out.printf("width %s fp16 uint8: max |Δ| %.3g%n", width, d);
            assertTrue(d <= 1e-2, "fp16 max |Δ| " + d);
        }
    }

    @Test
    void stateWrittenByTheModuleExportsExactly() throws Exception {
        // BN running statistics produced by libtorch itself (train-mode forwards), saved through
        // exportState() and a checkpoint file, as the trainer does
        Natives.load();
        ModelSpec spec = ModelSpec.cifar10(0.25);
        Random rnd = new Random(5);
        float[] input = new float[BATCH * 3 * 32 * 32];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) rnd.nextGaussian();
        }
        Path ckptFile = dir.resolve("best.pt");
        float[] expected;
        try (LayerNet model = LayerNet.customResNet(spec); PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            model.train(true);
            for (int step = 0; step < 30; step++) {
                model.forward(TorchReference.fromArray(input, BATCH, 3, 32, 32));
            }
            model.eval();
            expected = TorchReference.toArray(model.forward(TorchReference.fromArray(input, BATCH, 3, 32, 32)), BATCH * spec.numClasses());
            ObjectNode meta = Checkpoint.newMeta();
            new ModelInfo(spec, RandomCheckpoints.CIFAR10, ModelInfo.CIFAR10_MEAN, ModelInfo.CIFAR10_STD).writeTo(meta);
            new Checkpoint(meta, model.exportState()).write(ckptFile);
        }
        Path file = dir.resolve("m.onnx");
        OnnxExporter.export(Checkpoint.read(ckptFile), ExportOptions.DEFAULT, file);
        try (OrtRunner ort = new OrtRunner(file)) {
            double d = ExportParityTest.maxAbsDiff(ort.runFloat(input, BATCH), expected);
            double scale = ExportParityTest.maxAbsDiff(expected, new float[expected.length]);
            System.out.printf("module state via checkpoint file: max |Δ| %.3g, max |logit| %.3g%n", d, scale);
            assertTrue(d <= 1e-4, "max |Δ| " + d);
            assertTrue(d <= 1e-5 * scale, "relative error " + d / scale);
        }
    }
}
