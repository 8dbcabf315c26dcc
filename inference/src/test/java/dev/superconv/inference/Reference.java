package dev.superconv.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.superconv.core.augment.HorizontalFlip;
import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.model.InputFormat;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Independent reference for the pipeline: per-image scalar preprocessing (augment's reference
 * {@link Normalize#apply} and {@link HorizontalFlip#apply}), heap tensors that ONNX Runtime copies,
 * and ONNX Runtime's own allocated outputs.
 */
final class Reference {
    private Reference() {}

    /** Model input values of image {@code i} (NCHW normalised floats, or NHWC pixel values as floats). */
    static float[] input(OrtModel model, byte[] pixels, int i, boolean mirror) {
        byte[] img = Arrays.copyOfRange(pixels, i * TestModels.PIXELS, (i + 1) * TestModels.PIXELS);
        if (mirror) {
            img = HorizontalFlip.apply(img, 32, 32);
        }
        if (model.inputFormat() == InputFormat.FLOAT_NCHW) {
            return new Normalize(model.mean(), model.std()).apply(img, 32, 32, Layout.NCHW);
        }
        float[] out = new float[img.length];
        for (int j = 0; j < img.length; j++) {
            out[j] = Byte.toUnsignedInt(img[j]);
        }
        return out;
    }

    /** ONNX Runtime's scores for the given images (each optionally mirrored), run as one batch. */
    static float[][] scores(OrtModel model, byte[] pixels, int[] images, boolean[] mirror) throws Exception {
        int n = images.length;
        OnnxTensor in;
        if (model.inputFormat() == InputFormat.FLOAT_NCHW) {
            float[] all = new float[n * TestModels.PIXELS];
            for (int r = 0; r < n; r++) {
                System.arraycopy(input(model, pixels, images[r], mirror[r]), 0, all, r * TestModels.PIXELS, TestModels.PIXELS);
            }
            in = OnnxTensor.createTensor(model.environment(), FloatBuffer.wrap(all), new long[] {n, 3, 32, 32});
        } else {
            byte[] all = new byte[n * TestModels.PIXELS];
            for (int r = 0; r < n; r++) {
                byte[] img = Arrays.copyOfRange(pixels, images[r] * TestModels.PIXELS, (images[r] + 1) * TestModels.PIXELS);
                System.arraycopy(mirror[r] ? HorizontalFlip.apply(img, 32, 32) : img, 0, all, r * TestModels.PIXELS, TestModels.PIXELS);
            }
            in = OnnxTensor.createTensor(model.environment(), ByteBuffer.wrap(all), new long[] {n, 32, 32, 3}, ai.onnxruntime.OnnxJavaType.UINT8);
        }
        try (in; OrtSession.Result r = model.runAllocating(in)) {
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
