package dev.superconv.core.augment;

import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.ZERO_EXTEND_B2I;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The hot loop of the pipeline: a run of uint8 RGB pixels (HWC) becomes float32
 * {@code x · scale[c] + bias[c]} (one fused multiply-add, so scalar and vector agree bit for bit),
 * written either to three channel planes (NCHW) or interleaved (NHWC), optionally in reversed pixel
 * order (a horizontal flip). Crop and flip thus cost no pass of their own: the crop is where the run
 * starts (rows reaching into the padding are first gathered into a scratch row by the caller), the
 * flip a lane permutation folded into the de-interleave.
 *
 * <p>The vector path handles a block of L pixels (3 byte vectors) at a time: a fixed permutation
 * gathers each output vector from the three inputs, bytes are zero-extended to int (never
 * sign-extended: 191 must stay 191), converted to float and stored. A run that is not a multiple of
 * L ends with a block overlapping the previous one, which rewrites identical values. Runs shorter
 * than L, and every run when {@code -Dsuperconv.scalar=true}, take the scalar reference.
 */
final class PixelKernels {
    static final boolean FORCE_SCALAR = Boolean.getBoolean("superconv.scalar");

    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, FLOATS.vectorShape());
    static final int LANES = FLOATS.length();
    /** Byte vectors with as many lanes as the float vectors; none below 64 bits (then: scalar only). */
    static final boolean VECTOR_USABLE = LANES >= 8;
    static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, LANES * 8)));

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private static final Block3 PLANAR = Block3.of(false, true);
    private static final Block3 PLANAR_REVERSED = Block3.of(true, true);
    private static final Block3 INTERLEAVED_REVERSED = Block3.of(true, false);
    private static final Gather3 P0 = PLANAR.p0;
    private static final Gather3 P1 = PLANAR.p1;
    private static final Gather3 P2 = PLANAR.p2;
    private static final Gather3 R0 = PLANAR_REVERSED.p0;
    private static final Gather3 R1 = PLANAR_REVERSED.p1;
    private static final Gather3 R2 = PLANAR_REVERSED.p2;
    private static final Gather3 I0 = INTERLEAVED_REVERSED.p0;
    private static final Gather3 I1 = INTERLEAVED_REVERSED.p1;
    private static final Gather3 I2 = INTERLEAVED_REVERSED.p2;

    private PixelKernels() {
    }

    static boolean vectorByDefault() {
        return VECTOR_USABLE && !FORCE_SCALAR;
    }

    /**
     * {@code pixels} RGB pixels from {@code src[srcOff..]} into three planes at {@code dstOff},
     * {@code dstOff + planeStride}, {@code dstOff + 2·planeStride} (bytes); output pixel i comes from
     * input pixel {@code reverse ? pixels−1−i : i}.
     */
    static void planar(boolean vector, MemorySegment src, long srcOff, int pixels, boolean reverse,
                       MemorySegment dst, long dstOff, long planeStride, Coefficients k) {
        if (vector && VECTOR_USABLE && pixels >= LANES) {
            if (reverse) {
                planarReversed(src, srcOff, pixels, dst, dstOff, planeStride, k.scale, k.bias);
            } else {
                planarForward(src, srcOff, pixels, dst, dstOff, planeStride, k.scale, k.bias);
            }
        } else {
            planarScalar(src, srcOff, pixels, reverse, dst, dstOff, planeStride, k.scale, k.bias);
        }
    }

    /** As {@link #planar} but writes RGB-interleaved floats (NHWC) from {@code dstOff}. */
    static void interleaved(boolean vector, MemorySegment src, long srcOff, int pixels, boolean reverse,
                            MemorySegment dst, long dstOff, Coefficients k) {
        if (vector && VECTOR_USABLE && pixels >= LANES) {
            if (reverse) {
                interleavedReversed(src, srcOff, pixels, dst, dstOff, k.phaseScale, k.phaseBias);
            } else {
                interleavedForward(src, srcOff, pixels, dst, dstOff, k.phaseScale, k.phaseBias);
            }
        } else {
            interleavedScalar(src, srcOff, pixels, reverse, dst, dstOff, k.scale, k.bias);
        }
    }

    static void planarScalar(MemorySegment src, long srcOff, int pixels, boolean reverse,
                             MemorySegment dst, long dstOff, long planeStride, float[] scale, float[] bias) {
        for (int i = 0; i < pixels; i++) {
            long in = srcOff + 3L * (reverse ? pixels - 1 - i : i);
            for (int c = 0; c < 3; c++) {
                float x = src.get(BYTE, in + c) & 0xFF;
                dst.set(FLOAT, dstOff + c * planeStride + 4L * i, Math.fma(x, scale[c], bias[c]));
            }
        }
    }

    static void interleavedScalar(MemorySegment src, long srcOff, int pixels, boolean reverse,
                                  MemorySegment dst, long dstOff, float[] scale, float[] bias) {
        for (int i = 0; i < pixels; i++) {
            long in = srcOff + 3L * (reverse ? pixels - 1 - i : i);
            for (int c = 0; c < 3; c++) {
                float x = src.get(BYTE, in + c) & 0xFF;
                dst.set(FLOAT, dstOff + 4L * (3L * i + c), Math.fma(x, scale[c], bias[c]));
            }
        }
    }

    // Each loop names its permutation's shuffles and masks as constants and calls no helper that
    // takes or returns a vector. Measured: a shuffle passed in as a value made the kernel 1.5–3×
    // slower, and a vector-valued helper that C2 declined to inline boxed every vector (12 KB of
    // garbage per image). Hence the repetition.
    /** NCHW, pixels in order. */
    static void planarForward(MemorySegment src, long srcOff, int pixels,
                              MemorySegment dst, long dstOff, long planeStride, float[] scale, float[] bias) {
        FloatVector s0 = FloatVector.broadcast(FLOATS, scale[0]);
        FloatVector s1 = FloatVector.broadcast(FLOATS, scale[1]);
        FloatVector s2 = FloatVector.broadcast(FLOATS, scale[2]);
        FloatVector b0 = FloatVector.broadcast(FLOATS, bias[0]);
        FloatVector b1 = FloatVector.broadcast(FLOATS, bias[1]);
        FloatVector b2 = FloatVector.broadcast(FLOATS, bias[2]);
        int last = pixels - LANES;
        for (int start = 0; start < pixels; start += LANES) {
            int out = Math.min(start, last);
            long in = srcOff + 3L * (out);
            ByteVector v0 = ByteVector.fromMemorySegment(BYTES, src, in, NATIVE);
            ByteVector v1 = ByteVector.fromMemorySegment(BYTES, src, in + LANES, NATIVE);
            ByteVector v2 = ByteVector.fromMemorySegment(BYTES, src, in + 2L * LANES, NATIVE);
            long o = dstOff + 4L * out;
            ((FloatVector) v0.rearrange(P0.from01, v1).blend(v2.rearrange(P0.from2), P0.use2)
                    .convertShape(ZERO_EXTEND_B2I, INTS, 0).convert(I2F, 0)).fma(s0, b0).intoMemorySegment(dst, o, NATIVE);
            ((FloatVector) v0.rearrange(P1.from01, v1).blend(v2.rearrange(P1.from2), P1.use2)
                    .convertShape(ZERO_EXTEND_B2I, INTS, 0).convert(I2F, 0)).fma(s1, b1).intoMemorySegment(dst, o + planeStride, NATIVE);
            ((FloatVector) v0.rearrange(P2.from01, v1).blend(v2.rearrange(P2.from2), P2.use2)
                    .convertShape(ZERO_EXTEND_B2I, INTS, 0).convert(I2F, 0)).fma(s2, b2).intoMemorySegment(dst, o + 2 * planeStride, NATIVE);
        }
    }

    /** NCHW, pixels reversed (flip). */
    static void planarReversed(MemorySegment src, long srcOff, int pixels,
                              MemorySegment dst, long dstOff, long planeStride, float[] scale, float[] bias) {
        FloatVector s0 = FloatVector.broadcast(FLOATS, scale[0]);
        FloatVector s1 = FloatVector.broadcast(FLOATS, scale[1]);
        FloatVector s2 = FloatVector.broadcast(FLOATS, scale[2]);
        FloatVector b0 = FloatVector.broadcast(FLOATS, bias[0]);
        FloatVector b1 = FloatVector.broadcast(FLOATS, bias[1]);
        FloatVector b2 = FloatVector.broadcast(FLOATS, bias[2]);
        int last = pixels - LANES;
        for (int start = 0; start < pixels; start += LANES) {
            int out = Math.min(start, last);
            long in = srcOff + 3L * (last - out);
            ByteVector v0 = ByteVector.fromMemorySegment(BYTES, src, in, NATIVE);
            ByteVector v1 = ByteVector.fromMemorySegment(BYTES, src, in + LANES, NATIVE);
            ByteVector v2 = ByteVector.fromMemorySegment(BYTES, src, in + 2L * LANES, NATIVE);
            long o = dstOff + 4L * out;
            ((FloatVector) v0.rearrange(R0.from01, v1).blend(v2.rearrange(R0.from2), R0.use2)
                    .convertShape(ZERO_EXTEND_B2I, INTS, 0).convert(I2F, 0)).fma(s0, b0).intoMemorySegment(dst, o, NATIVE);
            ((FloatVector) v0.rearrange(R1.from01, v1).blend(v2.rearrange(R1.from2), R1.use2)
                    .convertShape(ZERO_EXTEND_B2I, INTS, 0).convert(I2F, 0)).fma(s1, b1).intoMemorySegment(dst, o + planeStride, NATIVE);
            ((FloatVector) v0.rearrange(R2.from01, v1).blend(v2.rearrange(R2.from2), R2.use2)
                    .convertShape(ZERO_EXTEND_B2I, INTS, 0).convert(I2F, 0)).fma(s2, b2).intoMemorySegment(dst, o + 2 * planeStride, NATIVE);
        }
    }

    /** NHWC, pixels in order: bytes map 1:1 to floats. */
    static void interleavedForward(MemorySegment src, long srcOff, int pixels,
                              MemorySegment dst, long dstOff, float[] phase, float[] offset) {
        FloatVector s0 = FloatVector.fromArray(FLOATS, phase, 0 * LANES);
        FloatVector s1 = FloatVector.fromArray(FLOATS, phase, 1 * LANES);
        FloatVector s2 = FloatVector.fromArray(FLOATS, phase, 2 * LANES);
        FloatVector b0 = FloatVector.fromArray(FLOATS, offset, 0 * LANES);
        FloatVector b1 = FloatVector.fromArray(FLOATS, offset, 1 * LANES);
        FloatVector b2 = FloatVector.fromArray(FLOATS, offset, 2 * LANES);
        int last = pixels - LANES;
        for (int start = 0; start < pixels; start += LANES) {
            int out = Math.min(start, last);
            long in = srcOff + 3L * (out);
            ByteVector v0 = ByteVector.fromMemorySegment(BYTES, src, in, NATIVE);
            ByteVector v1 = ByteVector.fromMemorySegment(BYTES, src, in + LANES, NATIVE);
            ByteVector v2 = ByteVector.fromMemorySegment(BYTES, src, in + 2L * LANES, NATIVE);
            long o = dstOff + 12L * out;
            ((FloatVector) v0
                    .convertShape(ZERO_EXTEND_B2I, INTS, 0).convert(I2F, 0)).fma(s0, b0).intoMemorySegment(dst, o, NATIVE);
            ((FloatVector) v1
                    .convertShape(ZERO_EXTEND_B2I, INTS, 0).convert(I2F, 0)).fma(s1, b1).intoMemorySegment(dst, o + 4L * LANES, NATIVE);
            ((FloatVector) v2
                    .convertShape(ZERO_EXTEND_B2I, INTS, 0).convert(I2F, 0)).fma(s2, b2).intoMemorySegment(dst, o + 8L * LANES, NATIVE);
        }
    }

    /** NHWC, pixels reversed (flip). */
    static void interleavedReversed(MemorySegment src, long srcOff, int pixels,
                              MemorySegment dst, long dstOff, float[] phase, float[] offset) {
        FloatVector s0 = FloatVector.fromArray(FLOATS, phase, 0 * LANES);
        FloatVector s1 = FloatVector.fromArray(FLOATS, phase, 1 * LANES);
        FloatVector s2 = FloatVector.fromArray(FLOATS, phase, 2 * LANES);
        FloatVector b0 = FloatVector.fromArray(FLOATS, offset, 0 * LANES);
        FloatVector b1 = FloatVector.fromArray(FLOATS, offset, 1 * LANES);
        FloatVector b2 = FloatVector.fromArray(FLOATS, offset, 2 * LANES);
        int last = pixels - LANES;
        for (int start = 0; start < pixels; start += LANES) {
            int out = Math.min(start, last);
            long in = srcOff + 3L * (last - out);
            ByteVector v0 = ByteVector.fromMemorySegment(BYTES, src, in, NATIVE);
            ByteVector v1 = ByteVector.fromMemorySegment(BYTES, src, in + LANES, NATIVE);
            ByteVector v2 = ByteVector.fromMemorySegment(BYTES, src, in + 2L * LANES, NATIVE);
            long o = dstOff + 12L * out;
            ((FloatVector) v0.rearrange(I0.from01, v1).blend(v2.rearrange(I0.from2), I0.use2)
                    .convertShape(ZERO_EXTEND_B2I, INTS, 0).convert(I2F, 0)).fma(s0, b0).intoMemorySegment(dst, o, NATIVE);
            ((FloatVector) v0.rearrange(I1.from01, v1).blend(v2.rearrange(I1.from2), I1.use2)
                    .convertShape(ZERO_EXTEND_B2I, INTS, 0).convert(I2F, 0)).fma(s1, b1).intoMemorySegment(dst, o + 4L * LANES, NATIVE);
            ((FloatVector) v0.rearrange(I2.from01, v1).blend(v2.rearrange(I2.from2), I2.use2)
                    .convertShape(ZERO_EXTEND_B2I, INTS, 0).convert(I2F, 0)).fma(s2, b2).intoMemorySegment(dst, o + 8L * LANES, NATIVE);
        }
    }

    /**
     * Per-channel {@code scale}, {@code bias} and the same repeated over a block of 3L interleaved
     * values (vector j of a block holds bytes jL..jL+L−1, i.e. channel (jL + lane) mod 3).
     */
    record Coefficients(float[] scale, float[] bias, float[] phaseScale, float[] phaseBias) {
        static Coefficients of(float[] scale, float[] bias) {
            float[] phaseScale = new float[3 * Math.max(LANES, 8)];
            float[] phaseBias = new float[phaseScale.length];
            for (int i = 0; i < phaseScale.length; i++) {
                phaseScale[i] = scale[i % 3];
                phaseBias[i] = bias[i % 3];
            }
            return new Coefficients(scale.clone(), bias.clone(), phaseScale, phaseBias);
        }
    }

    /** Writes {@code count} copies of {@code value} from {@code dstOff}. */
    static void fill(MemorySegment dst, long dstOff, int count, float value) {
        for (int i = 0; i < count; i++) {
            dst.set(FLOAT, dstOff + 4L * i, value);
        }
    }

    /**
     * Output byte vector gathered from lanes of three input vectors:
     * {@code v0.rearrange(from01, v1).blend(v2.rearrange(from2), use2)}; {@code from01} picks lanes of
     * v0 (index i) or v1 (index L + i, an "exceptional" index that selects the second vector).
     */
    record Gather3(VectorShuffle<Byte> from01, VectorShuffle<Byte> from2, VectorMask<Byte> use2) {
    }

    record Block3(Gather3 p0, Gather3 p1, Gather3 p2) {
        static Block3 of(boolean reverse, boolean planar) {
            int n = BYTES.length();
            int[] source = new int[3 * n];
            for (int q = 0; q < source.length; q++) {
                int pixel = planar ? q % n : q / 3;
                int channel = planar ? q / n : q % 3;
                int from = reverse ? n - 1 - pixel : pixel;
                source[q] = 3 * from + channel;
            }
            return new Block3(gather(source, 0), gather(source, n), gather(source, 2 * n));
        }

        private static Gather3 gather(int[] source, int base) {
            int n = BYTES.length();
            int[] from01 = new int[n];
            int[] from2 = new int[n];
            boolean[] use2 = new boolean[n];
            for (int lane = 0; lane < n; lane++) {
                int s = source[base + lane];
                int vector = s / n;
                from01[lane] = vector == 1 ? n + s % n : s % n;
                from2[lane] = s % n;
                use2[lane] = vector == 2;
            }
            return new Gather3(VectorShuffle.fromArray(BYTES, from01, 0), VectorShuffle.fromArray(BYTES, from2, 0),
                    VectorMask.fromArray(BYTES, use2, 0));
        }
    }
}
