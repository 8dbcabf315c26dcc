package dev.superconv.export;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.InputFormat;
import dev.superconv.export.ExportOptions.Precision;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real CIFAR-10 test images (the first 50 of every class) through the uint8 export, fp32 and
 * fp16, against libtorch: arg-max agreement on ≥ 99.9 % of the images. The weights are random (a
 * trained model is the lead's end-to-end check), which makes margins smaller than a trained
 * model's and so the agreement test harder, not easier.
 */
class RealImageAgreementTest {
    private static final int PER_CLASS = 50;
    private static final int CHUNK = 100;

    @TempDir
    Path dir;

    @Test
    void argmaxAgreesOnRealImages() throws Exception {
        Path root = Path.of(System.getProperty("superconv.data.jpeg", "../shared/data/cifar10-jpeg"), "test");
        Assumptions.assumeTrue(Files.isDirectory(root), "no CIFAR-10 JPEG folder at " + root);
        byte[] pixels = load(root);
        int n = pixels.length / (32 * 32 * 3);
        Checkpoint c = RandomCheckpoints.create(0.25, 21, 0.3);
        ModelInfo info = ModelInfo.of(c);
        int classes = info.spec().numClasses();
        float[] normalized = ExportParityTest.normalize(pixels, info);

        int[] reference = new int[n];
        for (int start = 0; start < n; start += CHUNK) {
            int m = Math.min(CHUNK, n - start);
            float[] chunk = java.util.Arrays.copyOfRange(normalized, start * 3 * 32 * 32, (start + m) * 3 * 32 * 32);
            argmax(TorchReference.run(c, info.spec(), chunk, m, dev.superconv.core.model.Tta.NONE, false), classes, reference, start);
        }
        for (Precision p : new Precision[] {Precision.FP32, Precision.FP16}) {
            Path file = dir.resolve(p.cliName() + ".onnx");
            OnnxExporter.export(c, ExportOptions.DEFAULT.withInput(InputFormat.UINT8_NHWC).withPrecision(p), file);
            int[] got = new int[n];
            try (OrtRunner ort = new OrtRunner(file)) {
                for (int start = 0; start < n; start += CHUNK) {
                    int m = Math.min(CHUNK, n - start);
                    byte[] chunk = java.util.Arrays.copyOfRange(pixels, start * 32 * 32 * 3, (start + m) * 32 * 32 * 3);
                    argmax(ort.runUint8(chunk, m), classes, got, start);
                }
            }
            int same = 0;
            for (int i = 0; i < n; i++) {
                same += got[i] == reference[i] ? 1 : 0;
            }
            double agreement = (double) same / n;
            System.out.printf("%s: arg-max agreement %d/%d = %.4f%n", p.cliName(), same, n, agreement);
            assertTrue(agreement >= 0.999, p.cliName() + ": arg-max agreement " + agreement);
        }
    }

    private static void argmax(float[] scores, int classes, int[] out, int offset) {
        for (int i = 0; i < scores.length / classes; i++) {
            int best = 0;
            for (int k = 1; k < classes; k++) {
                best = scores[i * classes + k] > scores[i * classes + best] ? k : best;
            }
            out[offset + i] = best;
        }
    }

    /** uint8 NHWC RGB of the first PER_CLASS images of every class folder, in sorted order. */
    private static byte[] load(Path root) throws IOException {
        List<Path> classes;
        try (Stream<Path> s = Files.list(root)) {
            classes = s.filter(Files::isDirectory).sorted().toList();
        }
        byte[] out = new byte[classes.size() * PER_CLASS * 32 * 32 * 3];
        int k = 0;
        for (Path cls : classes) {
            List<Path> images;
            try (Stream<Path> s = Files.list(cls)) {
                images = s.sorted().limit(PER_CLASS).toList();
            }
            for (Path img : images) {
                BufferedImage b = ImageIO.read(img.toFile());
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        int rgb = b.getRGB(x, y);
                        out[k++] = (byte) (rgb >> 16);
                        out[k++] = (byte) (rgb >> 8);
                        out[k++] = (byte) rgb;
                    }
                }
            }
        }
        return out;
    }
}
