package dev.superconv.core.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PixelKernelsTest {
    private static final int L = PixelKernels.LANES;
    private static final Normalize CIFAR = Normalize.cifar10();

    static IntStream awkwardLengths() {
        return IntStream.of(0, 1, L - 1, L, L + 1, 2 * L - 1, 2 * L, 2 * L + 1, 3 * L + 5, 28, 31, 32, 1024).distinct();
    }

    private static MemorySegment randomBytes(Arena arena, long n, long seed) {
        MemorySegment s = arena.allocate(Math.max(1, n));
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
        }
        return s;
    }

    private static MemorySegment poisoned(Arena arena, long bytes) {
        MemorySegment s = arena.allocate(Math.max(4, bytes), 64);
        s.fill((byte) 0x7F);
        return s;
    }

    @ParameterizedTest
    @MethodSource("awkwardLengths")
    void planarVectorEqualsScalarBitForBit(int pixels) {
        try (Arena arena = Arena.ofConfined()) {
            int srcOff = 5; // deliberately unaligned source
            MemorySegment src = randomBytes(arena, srcOff + 3L * pixels, pixels);
            for (boolean reverse : new boolean[] {false, true}) {
                long plane = 4L * pixels + 8;
                MemorySegment vec = poisoned(arena, 4 + 3 * plane);
                MemorySegment ref = poisoned(arena, 4 + 3 * plane);
                PixelKernels.planar(true, src, srcOff, pixels, reverse, vec, 4, plane, CIFAR.coefficients());
                PixelKernels.planarScalar(src, srcOff, pixels, reverse, ref, 4, plane, CIFAR.coefficients().scale(), CIFAR.coefficients().bias());
                assertEquals(-1, vec.mismatch(ref), "pixels=" + pixels + " reverse=" + reverse);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("awkwardLengths")
    void interleavedVectorEqualsScalarBitForBit(int pixels) {
        try (Arena arena = Arena.ofConfined()) {
            int srcOff = 3;
            MemorySegment src = randomBytes(arena, srcOff + 3L * pixels, 7 * pixels + 1);
            for (boolean reverse : new boolean[] {false, true}) {
                MemorySegment vec = poisoned(arena, 12L * pixels + 8);
                MemorySegment ref = poisoned(arena, 12L * pixels + 8);
                PixelKernels.interleaved(true, src, srcOff, pixels, reverse, vec, 4, CIFAR.coefficients());
                PixelKernels.interleavedScalar(src, srcOff, pixels, reverse, ref, 4, CIFAR.coefficients().scale(), CIFAR.coefficients().bias());
                assertEquals(-1, vec.mismatch(ref), "pixels=" + pixels + " reverse=" + reverse);
            }
        }
    }

    @Test
    void scalarKernelPlacesEveryPixelWhereTheLayoutSays() {
        int pixels = 2 * L + 3;
        byte[] bytes = new byte[3 * pixels];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7 + 3);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = MemorySegment.ofArray(bytes);
            for (boolean vector : new boolean[] {false, true}) {
                MemorySegment planar = arena.allocate(12L * pixels);
                MemorySegment interleaved = arena.allocate(12L * pixels);
                PixelKernels.planar(vector, src, 0, pixels, true, planar, 0, 4L * pixels, CIFAR.coefficients());
                PixelKernels.interleaved(vector, src, 0, pixels, true, interleaved, 0, CIFAR.coefficients());
                for (int i = 0; i < pixels; i++) {
                    for (int c = 0; c < 3; c++) {
                        float expected = CIFAR.value(c, Byte.toUnsignedInt(bytes[3 * (pixels - 1 - i) + c]));
                        assertEquals(expected, planar.getAtIndex(ValueLayout.JAVA_FLOAT, (long) c * pixels + i));
                        assertEquals(expected, interleaved.getAtIndex(ValueLayout.JAVA_FLOAT, 3L * i + c));
                    }
                }
            }
        }
    }

    @Test
    void bytesAbove127AreZeroExtended() {
        // 191 sign-extended would read as −65 and give a large negative value.
        byte[] bytes = new byte[3 * 2 * L];
        java.util.Arrays.fill(bytes, (byte) 191);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(4L * bytes.length);
            CIFAR.toFloats(bytes, 0, 1, 2, L, out, 0, Layout.NCHW);
            for (int c = 0; c < 3; c++) {
                double expected = (191 / 255.0 - dev.superconv.core.model.ModelInfo.CIFAR10_MEAN[c]) / dev.superconv.core.model.ModelInfo.CIFAR10_STD[c];
                float got = out.getAtIndex(ValueLayout.JAVA_FLOAT, (long) c * 2 * L + 5);
                assertEquals(expected, got, 2e-6, "channel " + c);
                assertTrue(got > 0);
            }
        }
    }
}
