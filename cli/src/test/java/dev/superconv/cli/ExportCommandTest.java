package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.model.ModelSpec.TensorSpec;
import dev.superconv.export.OnnxInspector;
import dev.superconv.export.OnnxInspector.Inspection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportCommandTest {
    @TempDir
    Path dir;

    /** A width-0.25 checkpoint with random weights (He-scaled convs, BN stats around 0/1). */
    static Path randomCheckpoint(Path dir) {
        ModelSpec spec = ModelSpec.cifar10(0.25);
        Random rnd = new Random(11);
        Map<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>();
        for (TensorSpec t : spec.stateTensors()) {
            float[] v = new float[(int) t.numel()];
            for (int i = 0; i < v.length; i++) {
                v[i] = t.name().endsWith("running_var") ? 1f + rnd.nextFloat() : (float) (0.1 * rnd.nextGaussian());
            }
            tensors.put(t.name(), new Checkpoint.Tensor(t.shape(), v));
        }
        ObjectNode meta = Checkpoint.newMeta();
        new ModelInfo(spec, List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
                ModelInfo.CIFAR10_MEAN, ModelInfo.CIFAR10_STD).writeTo(meta);
        Path file = dir.resolve("best.pt");
        new Checkpoint(meta, tensors).write(file);
        return file;
    }

    @Test
    void exportsWithEveryOptionSpelledOut() {
        Path ckpt = randomCheckpoint(dir);
        Path out = dir.resolve("model.onnx");
        CliRunner.Result r = CliRunner.run("export", "--checkpoint", ckpt.toString(), "--out", out.toString(), "--no-fold-bn",
                "--input", "uint8-nhwc", "--output", "probs", "--tta", "flip", "--precision", "fp16");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("wrote " + out + ": "), r.out());
        Inspection i = OnnxInspector.inspect(out);
        assertEquals(List.of(), i.problems());
        assertEquals("uint8-nhwc", i.metadata().get("input_format"));
        assertEquals("probs", i.outputs().get(0).name());
        assertEquals("flip", i.metadata().get("tta"));
        assertEquals("fp16", i.metadata().get("precision"));
        assertEquals("false", i.metadata().get("fold_bn"));
        assertEquals(8, (int) i.nodeCounts().get("BatchNormalization"));
    }

    @Test
    void defaultsFoldBatchNormIntoFloatLogits() {
        Path ckpt = randomCheckpoint(dir);
        Path out = dir.resolve("model.onnx");
        CliRunner.Result r = CliRunner.run("export", "--checkpoint", ckpt.toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        Inspection i = OnnxInspector.inspect(out);
        assertEquals("true", i.metadata().get("fold_bn"));
        assertEquals("float-nchw", i.metadata().get("input_format"));
        assertEquals("logits", i.outputs().get(0).name());
        assertFalse(i.nodeCounts().containsKey("BatchNormalization"));
    }

    @Test
    void int8ExportIsCalibratedQuantisedAndEvaluates() throws Exception {
        Path ckpt = randomCheckpoint(dir);
        Path data = cifarBinary(dir.resolve("cifar"), 10);
        Path out = dir.resolve("int8.onnx");
        CliRunner.Result r = CliRunner.run("export", "--checkpoint", ckpt.toString(), "--out", out.toString(),
                "--precision", "int8", "--calibration-data", data.toString(), "--calibration-images", "40");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("wrote " + out + ": "), r.out());
        Inspection i = OnnxInspector.inspect(out);
        assertEquals(List.of(), i.problems());
        assertEquals("int8", i.metadata().get("precision"));
        assertTrue(i.metadata().get("quantization").startsWith("QDQ"), i.metadata().toString());
        assertEquals(8, (int) i.nodeCounts().get("Conv"));
        assertTrue(i.nodeCounts().get("QuantizeLinear") >= 11, i.nodeCounts().toString());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(out), files.filter(p -> p.getFileName().toString().contains(".onnx")).toList(), "the calibration graph is gone");
        }
        CliRunner.Result eval = CliRunner.run("eval", "--model", out.toString(), "--data", data.toString(), "--device", "cpu", "--json");
        assertEquals(0, eval.exitCode(), eval.toString());
        assertTrue(eval.out().contains("\"images\":10,"), eval.out());
    }

    /** The CIFAR-10 binary layout with random pixels, {@code perBatch} records per file (5 train files, 1 test). */
    private static Path cifarBinary(Path root, int perBatch) throws Exception {
        Files.createDirectories(root);
        Files.writeString(root.resolve("batches.meta.txt"), String.join("\n", InferenceFixtures.CIFAR10) + "\n");
        Random rnd = new Random(5);
        for (String name : List.of("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch")) {
            byte[] b = new byte[perBatch * 3073];
            rnd.nextBytes(b);
            for (int k = 0; k < perBatch; k++) {
                b[k * 3073] = (byte) (k % 10);
            }
            Files.write(root.resolve(name + ".bin"), b);
        }
        return root;
    }

    @Test
    void badInputIsOneLineExitTwoAndNoFile() throws Exception {
        Path ckpt = randomCheckpoint(dir);
        Path data = cifarBinary(dir.resolve("cifar"), 10);
        byte[] bytes = Files.readAllBytes(ckpt);
        Path torn = Files.write(dir.resolve("torn.pt"), Arrays.copyOf(bytes, bytes.length - 100));
        Path out = dir.resolve("model.onnx");
        List<String[]> cases = List.of(
                new String[] {"checkpoint " + dir.resolve("none.pt") + ": no such file", "--checkpoint", dir.resolve("none.pt").toString()},
                new String[] {"checkpoint " + torn + ": checksum mismatch (truncated or corrupt file)", "--checkpoint", torn.toString()},
                new String[] {"--input must be one of float-nchw, uint8-nhwc, got 'rgb'", "--checkpoint", ckpt.toString(), "--input", "rgb"},
                new String[] {"--precision must be one of fp32, fp16, int8, got 'int4'", "--checkpoint", ckpt.toString(), "--precision", "int4"},
                new String[] {"--precision int8 needs --calibration-data SPEC (training images to measure activation ranges on)",
                        "--checkpoint", ckpt.toString(), "--precision", "int8"},
                new String[] {"--calibration-data applies to --precision int8 only", "--checkpoint", ckpt.toString(), "--calibration-data", data.toString()},
                new String[] {"--precision int8 needs folded BatchNorm; drop --no-fold-bn",
                        "--checkpoint", ckpt.toString(), "--precision", "int8", "--no-fold-bn", "--calibration-data", data.toString()},
                new String[] {"--calibration-images must be in 1..50000, got 0",
                        "--checkpoint", ckpt.toString(), "--precision", "int8", "--calibration-data", data.toString(), "--calibration-images", "0"},
                new String[] {"--calibration-images 60: the training split of " + data + " has only 50 images",
                        "--checkpoint", ckpt.toString(), "--precision", "int8", "--calibration-data", data.toString(), "--calibration-images", "60"},
                new String[] {"--out " + dir + " is a directory; name the .onnx file to write", "--checkpoint", ckpt.toString(), "--out", dir.toString()},
                new String[] {"--out " + ckpt + " is the checkpoint itself; choose another file", "--checkpoint", ckpt.toString(), "--out", ckpt.toString()});
        for (String[] c : cases) {
            Stream<String> target = Arrays.asList(c).contains("--out") ? Stream.of("export") : Stream.of("export", "--out", out.toString());
            String[] args = Stream.concat(target, Arrays.stream(c, 1, c.length)).toArray(String[]::new);
            CliRunner.Result r = CliRunner.run(args);
            assertEquals(2, r.exitCode(), r.toString());
            assertEquals(List.of("superconv: " + c[0]), r.errLines());
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.filter(p -> p.getFileName().toString().contains(".onnx")).toList(), "no model or temp file");
            }
        }
    }
}
