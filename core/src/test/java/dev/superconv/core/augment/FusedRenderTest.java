package dev.superconv.core.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The one-pass render equals the standalone transforms applied one after another, for every crop
 * offset, flips before and after the crop, both padding modes, both layouts, vector and scalar.
 */
class FusedRenderTest {
    private final Normalize normalize = Normalize.cifar10();

    private static float[] flipFloats(float[] img, int h, int w, Layout layout) {
        float[] out = new float[img.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    int to = layout == Layout.NCHW ? (c * h + y) * w + x : (y * w + x) * 3 + c;
                    int from = layout == Layout.NCHW ? (c * h + y) * w + (w - 1 - x) : (y * w + (w - 1 - x)) * 3 + c;
                    out[to] = img[from];
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"32, 32, 4", "5, 6, 2", "9, 40, 3", "17, 17, 1"})
    void renderEqualsTheComposedReference(int h, int w, int pad) {
        byte[] img = new byte[h * w * 3 + 7];
        new SplittableRandom(h * 31L + w).nextBytes(img);
        int srcOffset = 7;
        byte[] image = java.util.Arrays.copyOfRange(img, srcOffset, img.length);
        Augmentation aug = Augmentation.of(h, w, new PadCrop(pad, PadMode.REFLECT), new Cutout(Math.min(3, h), CutoutMode.INSIDE), normalize);
        SamplePlan plan = aug.newPlan();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(4L * 3 * h * w + 4);
            for (PadMode mode : PadMode.values()) {
                for (Layout layout : Layout.values()) {
                    for (int flips = 0; flips < 4; flips++) {
                        boolean flipBefore = (flips & 1) != 0;
                        boolean flipAfter = (flips & 2) != 0;
                        for (int top = 0; top <= 2 * pad; top++) {
                            for (int left = 0; left <= 2 * pad; left++) {
                                int hy = (top + left) % (h - 2);
                                int hx = (3 * top + left) % (w - 1) - 1;
                                plan.reset();
                                if (flipBefore) {
                                    plan.flip();
                                }
                                plan.crop(top - pad, left - pad, mode);
                                plan.hole(hy, hx, hy + 3, hx + 3);
                                if (flipAfter) {
                                    plan.flip();
                                }
                                byte[] stage = flipBefore ? HorizontalFlip.apply(image, h, w) : image;
                                stage = PadCrop.apply(stage, h, w, pad, mode, top, left);
                                float[] expected = normalize.apply(stage, h, w, layout);
                                Cutout.apply(expected, h, w, layout, hy, hx, hy + 3, hx + 3, 0f);
                                if (flipAfter) {
                                    expected = flipFloats(expected, h, w, layout);
                                }
                                for (boolean vector : new boolean[] {true, false}) {
                                    dst.fill((byte) 0x55);
                                    aug.render(vector, MemorySegment.ofArray(img), srcOffset, plan, dst, 4, layout);
                                    float[] got = dst.asSlice(4, 4L * 3 * h * w).toArray(ValueLayout.JAVA_FLOAT);
                                    assertArrayEquals(expected, got, mode + " " + layout + " flips=" + flips + " top=" + top + " left=" + left + " vector=" + vector);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void randomDrawsRenderLikeThePlanReference() {
        byte[] image = new byte[32 * 32 * 3];
        new SplittableRandom(11).nextBytes(image);
        AugmentConfig[] configs = {
            AugmentConfig.defaults(),
            AugmentConfig.defaults().withPadMode(PadMode.ZERO).withCutout(16, CutoutMode.CENTRE_CLIPPED),
        };
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(4L * 3072);
            for (AugmentConfig config : configs) {
                Augmentation aug = AugmentPreset.SEED.augmentation(config, normalize);
                SamplePlan plan = aug.newPlan();
                for (int i = 0; i < 300; i++) {
                    aug.draw(new SampleRandom(5, 1, i), plan);
                    for (Layout layout : Layout.values()) {
                        float[] expected = aug.reference(image, plan, layout);
                        for (boolean vector : new boolean[] {true, false}) {
                            aug.render(vector, MemorySegment.ofArray(image), 0, plan, dst, 0, layout);
                            assertArrayEquals(expected, dst.toArray(ValueLayout.JAVA_FLOAT), "sample " + i + " " + layout + " vector=" + vector);
                        }
                    }
                }
            }
        }
    }

    @Test
    void drawIsReproducibleAndEpochsDiffer() {
        Augmentation aug = AugmentPreset.SEED.augmentation(AugmentConfig.defaults(), normalize);
        SamplePlan a = aug.newPlan();
        SamplePlan b = aug.newPlan();
        int sameAcrossEpochs = 0;
        for (int i = 0; i < 200; i++) {
            aug.draw(new SampleRandom(42, 3, i), a);
            aug.draw(new SampleRandom(42, 3, i), b);
            assertEquals(a.offsetX(), b.offsetX());
            assertEquals(a.offsetY(), b.offsetY());
            assertEquals(a.mirrored(), b.mirrored());
            assertArrayEquals(a.hole(0), b.hole(0));
            aug.draw(new SampleRandom(42, 4, i), b);
            if (a.offsetX() == b.offsetX() && a.offsetY() == b.offsetY()) {
                sameAcrossEpochs++;
            }
        }
        // 81 crop positions: two independent epochs agree on about 200/81 ≈ 2.5 samples.
        assertNotEquals(200, sameAcrossEpochs);
        assertEquals(0, sameAcrossEpochs, 12);
    }
}
