package dev.superconv.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ResizePolicyTest {
    private static RgbImage random(int w, int h, long seed) {
        byte[] rgb = new byte[w * h * 3];
        new SplittableRandom(seed).nextBytes(rgb);
        return new RgbImage(w, h, rgb);
    }

    @Test
    void anImageOfTheTargetSizeIsCopiedUnchanged() {
        RgbImage img = random(32, 32, 1);
        assertArrayEquals(img.rgb(), new ResizePolicy(32).apply(img));
    }

    @Test
    void integerShrinkIsTheBlockMeanOfTheCentreCrop() {
        // 256×128 → 64: shorter side 128 → 64 (factor 2), longer 256 → 128, centre crop at x = 32 (source x = 64)
        RgbImage img = random(256, 128, 2);
        byte[] out = new ResizePolicy(64).apply(img);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 0;
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            sum += img.rgb()[((2 * y + dy) * 256 + 64 + 2 * x + dx) * 3 + c] & 0xFF;
                        }
                    }
                    assertEquals(Math.round(sum / 4.0), out[(y * 64 + x) * 3 + c] & 0xFF, "(" + x + "," + y + "," + c + ")");
                }
            }
        }
    }

    @Test
    void fractionalShrinkMatchesExactAreaIntegration() {
        for (int[] wh : new int[][] {{100, 75}, {75, 100}, {33, 300}, {299, 40}}) {
            RgbImage img = random(wh[0], wh[1], wh[0] * 1000L + wh[1]);
            int n = 32;
            byte[] out = new ResizePolicy(n).apply(img);
            int shorter = Math.min(wh[0], wh[1]);
            int rw = wh[0] == shorter ? n : (int) Math.round((double) wh[0] * n / shorter);
            int rh = wh[1] == shorter ? n : (int) Math.round((double) wh[1] * n / shorter);
            double sx = (double) wh[0] / rw, sy = (double) wh[1] / rh;
            int ox = (rw - n) / 2, oy = (rh - n) / 2;
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    double x0 = (x + ox) * sx, x1 = x0 + sx, y0 = (y + oy) * sy, y1 = y0 + sy;
                    for (int c = 0; c < 3; c++) {
                        double sum = 0;
                        for (int j = 0; j < wh[1]; j++) {
                            double cy = Math.max(0, Math.min(y1, j + 1) - Math.max(y0, j));
                            for (int i = 0; cy > 0 && i < wh[0]; i++) {
                                double cx = Math.max(0, Math.min(x1, i + 1) - Math.max(x0, i));
                                sum += cx * cy * (img.rgb()[(j * wh[0] + i) * 3 + c] & 0xFF);
                            }
                        }
                        double want = sum / (sx * sy);
                        int got = out[(y * n + x) * 3 + c] & 0xFF;
                        assertTrue(Math.abs(got - want) <= 0.51, wh[0] + "×" + wh[1] + " (" + x + "," + y + "," + c + "): " + got + " vs " + want);
                    }
                }
            }
        }
    }

    @Test
    void enlargingIsBilinearBetweenPixelCentres() {
        // 2×2 → 8: output centre (i + 0.5)/4 − 0.5 in source pixels, clamped at the edges
        RgbImage img = new RgbImage(2, 2, new byte[] {0, 0, 0, (byte) 200, 0, 0, 0, 0, 0, (byte) 200, 0, 0});
        byte[] out = new ResizePolicy(8).apply(img);
        int[] want = {0, 0, 25, 75, 125, 175, 200, 200};
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                assertEquals(want[x], out[(y * 8 + x) * 3] & 0xFF, "x=" + x + " y=" + y);
            }
        }
    }

    @Test
    void sizesOutsideTheRangeAreBadInput() {
        BadInputException e = assertThrows(BadInputException.class, () -> new ResizePolicy(4));
        assertEquals("--image-size must be in 8..1024, got 4", e.getMessage());
        assertEquals("short-side-area-centre-crop-v1@64", new ResizePolicy(64).id());
    }

    @Test
    void exifOrientationsShowTheImageAsAViewerDoes() {
        // stored 3×2: a b c / d e f (one byte per pixel in R)
        byte[] rgb = new byte[18];
        for (int p = 0; p < 6; p++) {
            rgb[3 * p] = (byte) ('a' + p);
        }
        RgbImage img = new RgbImage(3, 2, rgb);
        assertEquals("abc/def", text(img.oriented(1)));
        assertEquals("cba/fed", text(img.oriented(2)));
        assertEquals("fed/cba", text(img.oriented(3)));
        assertEquals("def/abc", text(img.oriented(4)));
        assertEquals("ad/be/cf", text(img.oriented(5)));
        assertEquals("da/eb/fc", text(img.oriented(6)));
        assertEquals("fc/eb/da", text(img.oriented(7)));
        assertEquals("cf/be/ad", text(img.oriented(8)));
    }

    private static String text(RgbImage img) {
        StringBuilder s = new StringBuilder();
        for (int y = 0; y < img.height(); y++) {
            if (y > 0) {
                s.append('/');
            }
            for (int x = 0; x < img.width(); x++) {
                s.append((char) img.rgb()[3 * (y * img.width() + x)]);
            }
        }
        return s.toString();
    }
}
