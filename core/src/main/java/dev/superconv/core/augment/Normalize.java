package dev.superconv.core.augment;

import dev.superconv.core.model.ModelInfo;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * uint8 pixels to float32 {@code (x/255 − mean[c]) / std[c]}, into NCHW or NHWC.
 *
 * <p>Computed as one fused multiply-add {@code x · scale[c] + bias[c]} with
 * {@code scale = 1/(255·std)} and {@code bias = −mean/std} rounded to float once, so the vector and
 * scalar kernels agree bit for bit; the result is within a few float ulps of the textbook formula.
 *
 * <p>{@link #toFloats} is the stable entry point for callers outside the pipeline (inference).
 */
public final class Normalize implements Transform {
    private final float[] mean;
    private final float[] std;
    private final PixelKernels.Coefficients coefficients;

    public Normalize(float[] mean, float[] std) {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 channels");
        }
        float[] scale = new float[3];
        float[] bias = new float[3];
        for (int c = 0; c < 3; c++) {
            if (!(std[c] > 0) || !Float.isFinite(std[c]) || !Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("channel " + c + ": mean must be finite and std positive, got " + mean[c] + ", " + std[c]);
            }
            scale[c] = (float) (1.0 / (255.0 * std[c]));
            bias[c] = (float) (-(double) mean[c] / std[c]);
        }
        this.mean = mean.clone();
        this.std = std.clone();
        this.coefficients = PixelKernels.Coefficients.of(scale, bias);
    }

    /** CIFAR-10 training-set statistics ({@link ModelInfo#CIFAR10_MEAN}, {@link ModelInfo#CIFAR10_STD}). */
    public static Normalize cifar10() {
        return new Normalize(ModelInfo.CIFAR10_MEAN, ModelInfo.CIFAR10_STD);
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    /** The output value of pixel value {@code x} (0..255) in channel {@code c}. */
    public float value(int c, int x) {
        return Math.fma((float) x, coefficients.scale()[c], coefficients.bias()[c]);
    }

    @Override
    public void draw(SampleRandom rng, SamplePlan plan) {
        // Pointwise: nothing to draw, and its place in the order does not matter.
    }

    /**
     * Converts {@code images} uint8 HWC images of {@code height × width × 3}, stored back to back from
     * {@code srcOffset} (bytes) of {@code src} (heap or native), into float32 values in native byte
     * order from {@code dstOffset} (bytes) of {@code dst}: {@code images × 3 × height × width} values
     * in NCHW, or {@code images × height × width × 3} in NHWC.
     */
    public void toFloats(MemorySegment src, long srcOffset, int images, int height, int width,
                         MemorySegment dst, long dstOffset, Layout layout) {
        toFloats(PixelKernels.vectorByDefault(), src, srcOffset, images, height, width, dst, dstOffset, layout);
    }

    /** {@link #toFloats(MemorySegment, long, int, int, int, MemorySegment, long, Layout)} from a byte array. */
    public void toFloats(byte[] src, int srcOffset, int images, int height, int width,
                         MemorySegment dst, long dstOffset, Layout layout) {
        toFloats(MemorySegment.ofArray(src), srcOffset, images, height, width, dst, dstOffset, layout);
    }

    void toFloats(boolean vector, MemorySegment src, long srcOffset, int images, int height, int width,
                  MemorySegment dst, long dstOffset, Layout layout) {
        if (images < 0 || height < 1 || width < 1) {
            throw new IllegalArgumentException("bad shape: " + images + " × " + height + " × " + width);
        }
        long pixels = (long) height * width;
        if (srcOffset < 0 || srcOffset + images * pixels * 3 > src.byteSize()) {
            throw new IndexOutOfBoundsException("source holds " + src.byteSize() + " bytes, need " + images * pixels * 3 + " from " + srcOffset);
        }
        if (dstOffset < 0 || dstOffset + images * pixels * 12 > dst.byteSize()) {
            throw new IndexOutOfBoundsException("destination holds " + dst.byteSize() + " bytes, need " + images * pixels * 12 + " from " + dstOffset);
        }
        // Within one image, both layouts read the source as one contiguous run of pixels.
        for (int i = 0; i < images; i++) {
            long in = srcOffset + i * pixels * 3;
            long out = dstOffset + i * pixels * 12;
            if (layout == Layout.NCHW) {
                PixelKernels.planar(vector, src, in, (int) pixels, false, dst, out, 4 * pixels, coefficients);
            } else {
                PixelKernels.interleaved(vector, src, in, (int) pixels, false, dst, out, coefficients);
            }
        }
    }

    PixelKernels.Coefficients coefficients() {
        return coefficients;
    }

    /** Reference: a 3-channel uint8 HWC image as floats in {@code layout}, one pixel at a time. */
    public float[] apply(byte[] image, int height, int width, Layout layout) {
        float[] out = new float[image.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    float v = value(c, Byte.toUnsignedInt(image[3 * (y * width + x) + c]));
                    out[layout == Layout.NCHW ? (c * height + y) * width + x : (y * width + x) * 3 + c] = v;
                }
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalize n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalize[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
