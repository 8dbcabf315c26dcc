package dev.superconv.core.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Exact geometry of the standalone transforms on small hand-made images. */
class GeometryTest {
    /** 4×4 image whose pixel (y, x) is (10y + x, 100 + 10y + x, 200 + 10y + x). */
    private static byte[] grid4() {
        byte[] img = new byte[4 * 4 * 3];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                for (int c = 0; c < 3; c++) {
                    img[3 * (4 * y + x) + c] = (byte) (100 * c + 10 * y + x);
                }
            }
        }
        return img;
    }

    /** Channel 0 of a 4×4 uint8 HWC image as rows of "10y + x" codes (−1 for a zero pixel). */
    private static int[][] codes(byte[] img) {
        int[][] out = new int[4][4];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                int r = Byte.toUnsignedInt(img[3 * (4 * y + x)]);
                int g = Byte.toUnsignedInt(img[3 * (4 * y + x) + 1]);
                out[y][x] = g == 0 ? -1 : r;
                if (g != 0) {
                    assertEquals(r + 100, g, "channels travel together");
                }
            }
        }
        return out;
    }

    @Test
    void reflectPaddedCropAtTheCorners() {
        byte[] img = grid4();
        // Pad 2: top-left crop reads padded rows/cols −2, −1, 0, 1 → reflected 2, 1, 0, 1.
        assertArrayEquals(new int[][] {{22, 21, 20, 21}, {12, 11, 10, 11}, {2, 1, 0, 1}, {12, 11, 10, 11}},
                codes(PadCrop.apply(img, 4, 4, 2, PadMode.REFLECT, 0, 0)));
        // Bottom-right: rows/cols 2, 3, 4, 5 → 2, 3, 2, 1.
        assertArrayEquals(new int[][] {{22, 23, 22, 21}, {32, 33, 32, 31}, {22, 23, 22, 21}, {12, 13, 12, 11}},
                codes(PadCrop.apply(img, 4, 4, 2, PadMode.REFLECT, 4, 4)));
        // Top-right: rows −2..1, cols 2..5.
        assertArrayEquals(new int[][] {{22, 23, 22, 21}, {12, 13, 12, 11}, {2, 3, 2, 1}, {12, 13, 12, 11}},
                codes(PadCrop.apply(img, 4, 4, 2, PadMode.REFLECT, 0, 4)));
        // Centre crop is the image itself.
        assertArrayEquals(img, PadCrop.apply(img, 4, 4, 2, PadMode.REFLECT, 2, 2));
    }

    @Test
    void zeroPaddedCropAtTheCorners() {
        byte[] img = grid4();
        assertArrayEquals(new int[][] {{-1, -1, -1, -1}, {-1, -1, -1, -1}, {-1, -1, 0, 1}, {-1, -1, 10, 11}},
                codes(PadCrop.apply(img, 4, 4, 2, PadMode.ZERO, 0, 0)));
        assertArrayEquals(new int[][] {{22, 23, -1, -1}, {32, 33, -1, -1}, {-1, -1, -1, -1}, {-1, -1, -1, -1}},
                codes(PadCrop.apply(img, 4, 4, 2, PadMode.ZERO, 4, 4)));
        byte[] zeroCorner = PadCrop.apply(img, 4, 4, 2, PadMode.ZERO, 0, 0);
        assertEquals(0, zeroCorner[0]);
        assertEquals(0, zeroCorner[1]);
        assertEquals(0, zeroCorner[2]);
    }

    @Test
    void flipMirrorsEachRow() {
        assertArrayEquals(new int[][] {{3, 2, 1, 0}, {13, 12, 11, 10}, {23, 22, 21, 20}, {33, 32, 31, 30}},
                codes(HorizontalFlip.apply(grid4(), 4, 4)));
        assertArrayEquals(grid4(), HorizontalFlip.apply(HorizontalFlip.apply(grid4(), 4, 4), 4, 4));
    }

    @Test
    void cutoutFillsExactlyTheClippedBox() {
        float[] nchw = new float[3 * 4 * 4];
        java.util.Arrays.fill(nchw, 9f);
        Cutout.apply(nchw, 4, 4, Layout.NCHW, -1, 2, 1, 6, 0f);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    boolean hole = y == 0 && x >= 2;
                    assertEquals(hole ? 0f : 9f, nchw[(c * 4 + y) * 4 + x], "c=" + c + " y=" + y + " x=" + x);
                }
            }
        }
        float[] nhwc = new float[3 * 4 * 4];
        java.util.Arrays.fill(nhwc, 9f);
        Cutout.apply(nhwc, 4, 4, Layout.NHWC, 1, 0, 3, 1, -2f);
        for (int i = 0; i < nhwc.length; i++) {
            int pixel = i / 3;
            boolean hole = pixel == 4 || pixel == 8;
            assertEquals(hole ? -2f : 9f, nhwc[i], "value " + i);
        }
    }

    @Test
    void insideCutoutAlwaysFitsAndReachesEveryPosition() {
        Cutout cutout = new Cutout(8, CutoutMode.INSIDE);
        SamplePlan plan = new SamplePlan(32, 32, 1);
        Set<Integer> tops = new HashSet<>();
        Set<Integer> lefts = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            plan.reset();
            cutout.draw(new SampleRandom(1, 0, i), plan);
            int[] box = plan.hole(0);
            assertEquals(8, box[2] - box[0]);
            assertEquals(8, box[3] - box[1]);
            tops.add(box[0]);
            lefts.add(box[1]);
        }
        assertEquals(25, tops.size(), "top-left row takes every value 0..24");
        assertEquals(25, lefts.size());
    }

    @Test
    void centreClippedCutoutIsClippedAtTheEdges() {
        Cutout cutout = new Cutout(8, CutoutMode.CENTRE_CLIPPED);
        SamplePlan plan = new SamplePlan(32, 32, 1);
        Set<Integer> heights = new HashSet<>();
        Set<Integer> centres = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            plan.reset();
            cutout.draw(new SampleRandom(2, 0, i), plan);
            int[] box = plan.hole(0);
            assertTrue(box[0] >= 0 && box[2] <= 32 && box[1] >= 0 && box[3] <= 32);
            int h = box[2] - box[0];
            heights.add(h);
            // Centre cy in 0..31 gives [cy − 4, cy + 4) clipped: height 4..8.
            assertTrue(h >= 4 && h <= 8, "height " + h);
            int cy = box[2] == 32 ? box[0] + 4 : box[2] - 4;
            centres.add(cy);
        }
        assertEquals(Set.of(4, 5, 6, 7, 8), heights);
        assertEquals(32, centres.size());
        // The explicit clip: a hole asked at rows −3..5, cols 30..38 keeps rows 0..5, cols 30..32.
        plan.reset();
        plan.hole(-3, 30, 5, 38);
        assertArrayEquals(new int[] {0, 30, 5, 32}, plan.hole(0));
    }

    @Test
    void flipAfterAHoleMirrorsTheHole() {
        SamplePlan plan = new SamplePlan(32, 32, 1);
        plan.hole(2, 1, 10, 9);
        plan.flip();
        assertArrayEquals(new int[] {2, 23, 10, 31}, plan.hole(0));
    }

    @Test
    void orderRulesAreChecked() {
        Normalize n = Normalize.cifar10();
        assertThrows(IllegalArgumentException.class, () -> Augmentation.of(32, 32, new Cutout(8, CutoutMode.INSIDE), PadCrop.seed(), n));
        assertThrows(IllegalArgumentException.class, () -> Augmentation.of(32, 32, PadCrop.seed()));
        assertThrows(IllegalArgumentException.class, () -> Augmentation.of(32, 32, PadCrop.seed(), PadCrop.seed(), n));
        assertThrows(IllegalArgumentException.class, () -> Augmentation.of(4, 4, new PadCrop(4, PadMode.REFLECT), n));
        assertThrows(IllegalArgumentException.class, () -> Augmentation.of(4, 4, new Cutout(5, CutoutMode.INSIDE), n));
    }
}
