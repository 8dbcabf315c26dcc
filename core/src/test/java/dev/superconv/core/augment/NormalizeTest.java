package dev.superconv.core.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NormalizeTest {
    private final Normalize normalize = new Normalize(new float[] {0.5f, 0.25f, 0.0f}, new float[] {0.5f, 0.25f, 1.0f});

    @Test
    void valuesFollowTheFormulaPerChannel() {
        // (x/255 − mean)/std, checked at the ends and the middle of the range.
        assertEquals(-1.0f, normalize.value(0, 0), 1e-6f);
        assertEquals(1.0f, normalize.value(0, 255), 1e-6f);
        assertEquals(-1.0f, normalize.value(1, 0), 1e-6f);
        assertEquals(3.0f, normalize.value(1, 255), 1e-6f);
        assertEquals(0.0f, normalize.value(2, 0));
        assertEquals(128 / 255.0f, normalize.value(2, 128), 1e-7f);
        Normalize cifar = Normalize.cifar10();
        for (int x = 0; x < 256; x++) {
            for (int c = 0; c < 3; c++) {
                double exact = (x / 255.0 - cifar.mean()[c]) / cifar.std()[c];
                assertEquals(exact, cifar.value(c, x), 4e-7 * Math.max(1, Math.abs(exact)), "x=" + x + " c=" + c);
            }
        }
    }

    @Test
    void handMadeImageInBothLayouts() {
        // 1×2 image: pixel 0 = (0, 255, 51), pixel 1 = (255, 0, 102).
        byte[] image = {0, (byte) 255, 51, (byte) 255, 0, 102};
        float[] nchw = normalize.apply(image, 1, 2, Layout.NCHW);
        float[] nhwc = normalize.apply(image, 1, 2, Layout.NHWC);
        assertArrayEquals(new float[] {-1, 1, 3, -1, 0.2f, 0.4f}, nchw, 1e-6f);
        assertArrayEquals(new float[] {-1, 3, 0.2f, 1, -1, 0.4f}, nhwc, 1e-6f);
    }

    @Test
    void toFloatsMatchesTheReferenceForOddImageCountsAndBothPaths() {
        SplittableRandom r = new SplittableRandom(3);
        int[][] shapes = {{32, 32}, {5, 3}, {1, 1}, {7, 9}};
        for (int[] shape : shapes) {
            int h = shape[0];
            int w = shape[1];
            for (int images : new int[] {0, 1, 3, 7}) {
                byte[] src = new byte[2 + images * h * w * 3];
                r.nextBytes(src);
                for (Layout layout : Layout.values()) {
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment vec = arena.allocate(8 + 12L * images * h * w);
                        MemorySegment ref = arena.allocate(8 + 12L * images * h * w);
                        normalize.toFloats(true, MemorySegment.ofArray(src), 2, images, h, w, vec, 8, layout);
                        normalize.toFloats(false, MemorySegment.ofArray(src), 2, images, h, w, ref, 8, layout);
                        assertEquals(-1, vec.mismatch(ref), h + "x" + w + " images=" + images + " " + layout);
                        for (int i = 0; i < images; i++) {
                            byte[] one = java.util.Arrays.copyOfRange(src, 2 + i * h * w * 3, 2 + (i + 1) * h * w * 3);
                            float[] expected = normalize.apply(one, h, w, layout);
                            float[] got = vec.asSlice(8 + 12L * i * h * w, 12L * h * w).toArray(ValueLayout.JAVA_FLOAT);
                            assertArrayEquals(expected, got);
                        }
                    }
                }
            }
        }
    }

    @Test
    void toFloatsRejectsTooSmallBuffers() {
        byte[] src = new byte[32 * 32 * 3];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment small = arena.allocate(4L * 32 * 32 * 3 - 4);
            assertThrows(IndexOutOfBoundsException.class, () -> normalize.toFloats(src, 0, 1, 32, 32, small, 0, Layout.NCHW));
            MemorySegment enough = arena.allocate(4L * 32 * 32 * 3);
            assertThrows(IndexOutOfBoundsException.class, () -> normalize.toFloats(src, 0, 2, 32, 32, enough, 0, Layout.NCHW));
        }
    }
}
