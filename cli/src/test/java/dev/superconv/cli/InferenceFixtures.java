package dev.superconv.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.export.ExportOptions;
import dev.superconv.export.OnnxExporter;
import dev.superconv.inference.OrtRuntime;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/** Exported models with random weights, generated PNG images, and ONNX Runtime as a reference, for eval/predict CLI tests. */
final class InferenceFixtures {
    static final List<String> CIFAR10 = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private InferenceFixtures() {}

    /** A width-0.125 ResNet-9 with random weights (zero-mean classifier rows, so images differ in class), exported. */
    static Path exportRandomModel(Path file, long seed, ExportOptions options) {
        ModelSpec spec = new ModelSpec(0.125, 0.125, 10);
        Random rnd = new Random(seed);
        Map<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>();
        for (ModelSpec.TensorSpec t : spec.stateTensors()) {
            float[] v = new float[(int) t.numel()];
            String n = t.name();
            for (int i = 0; i < v.length; i++) {
                double x;
                if (n.endsWith(".conv.weight")) {
                    x = rnd.nextGaussian() * Math.sqrt(2.0 / (t.shape()[1] * 9));
                } else if (n.endsWith(".bn.weight")) {
                    x = 0.5 + rnd.nextDouble();
                } else if (n.endsWith(".bn.running_var")) {
                    x = 0.5 + rnd.nextDouble();
                } else if (n.endsWith(".bn.bias") || n.endsWith(".bn.running_mean")) {
                    x = 0.02 * rnd.nextGaussian();
                } else {
                    x = rnd.nextGaussian();
                }
                v[i] = (float) x;
            }
            if (n.equals("fc.weight")) {
                int in = (int) t.shape()[1];
                for (int k = 0; k < 10; k++) {
                    double mean = 0;
                    for (int j = 0; j < in; j++) {
                        mean += v[k * in + j] / in;
                    }
                    for (int j = 0; j < in; j++) {
                        v[k * in + j] -= (float) mean;
                    }
                }
            }
            tensors.put(n, new Checkpoint.Tensor(t.shape(), v));
        }
        ObjectNode meta = Checkpoint.newMeta();
        new ModelInfo(spec, CIFAR10, ModelInfo.CIFAR10_MEAN, ModelInfo.CIFAR10_STD).writeTo(meta);
        OnnxExporter.export(new Checkpoint(meta, tensors), options, file);
        return file;
    }

    /** A 32×32 image with its own colour, gradient and noise (HWC bytes). */
    static byte[] image(Random rnd) {
        byte[] px = new byte[32 * 32 * 3];
        double[] base = {rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)};
        double gy = rnd.nextGaussian() * 4;
        double gx = rnd.nextGaussian() * 4;
        double noise = rnd.nextDouble() * 60;
        for (int p = 0; p < 1024; p++) {
            for (int c = 0; c < 3; c++) {
                double v = base[c] + gy * (p / 32 - 16) * (c + 1) / 2 + gx * (p % 32 - 16) * (3 - c) / 2 + noise * rnd.nextGaussian();
                px[3 * p + c] = (byte) Math.max(0, Math.min(255, Math.round(v)));
            }
        }
        return px;
    }

    static void writePng(Path file, byte[] rgb, int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < w * h; p++) {
            img.setRGB(p % w, p / w, (rgb[3 * p] & 0xFF) << 16 | (rgb[3 * p + 1] & 0xFF) << 8 | (rgb[3 * p + 2] & 0xFF));
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    /** ONNX Runtime's logits for each image (float NCHW model), preprocessed by the scalar reference. */
    static float[][] referenceLogits(Path model, List<byte[]> images) throws Exception {
        Normalize norm = new Normalize(ModelInfo.CIFAR10_MEAN, ModelInfo.CIFAR10_STD);
        float[] all = new float[images.size() * 3072];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(norm.apply(images.get(i), 32, 32, Layout.NCHW), 0, all, i * 3072, 3072);
        }
        OrtEnvironment env = OrtRuntime.environment(); // telemetry off, as in the CLI
        try (OrtSession s = env.createSession(model.toString());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(all), new long[] {images.size(), 3, 32, 32});
             OrtSession.Result r = s.run(Map.of("input", in))) {
            return (float[][]) r.get(0).getValue();
        }
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int c = 1; c < v.length; c++) {
            if (v[c] > v[best]) {
                best = c;
            }
        }
        return best;
    }
}
