package dev.superconv.core.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.data.Dataset;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AlternatingFlipTest {
    private final Normalize normalize = Normalize.cifar10();

    @Test
    void consecutiveEpochsSeeMirrorImagesOfEachOther() {
        Augmentation aug = Augmentation.of(32, 32, new AlternatingFlip(), normalize);
        byte[] image = new byte[Dataset.IMAGE_BYTES];
        new SplittableRandom(3).nextBytes(image);
        byte[] mirrored = HorizontalFlip.apply(image, 32, 32);
        SamplePlan plan = aug.newPlan();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(4L * aug.outputValues());
            for (int sample = 0; sample < 50; sample++) {
                float[][] views = new float[4][];
                for (int epoch = 0; epoch < 4; epoch++) {
                    aug.draw(new SampleRandom(9, epoch, sample), plan);
                    aug.render(MemorySegment.ofArray(image), 0, plan, out, 0, Layout.NCHW);
                    views[epoch] = out.toArray(ValueLayout.JAVA_FLOAT);
                }
                // epoch e and e + 1 are mirror images; e and e + 2 are the same image
                aug.draw(new SampleRandom(9, 0, sample), plan);
                boolean epoch0Mirrored = plan.mirrored();
                float[] asIs = aug.reference(image, identity(aug), Layout.NCHW);
                float[] flipped = aug.reference(mirrored, identity(aug), Layout.NCHW);
                assertArrayEquals(epoch0Mirrored ? flipped : asIs, views[0], "sample " + sample);
                assertArrayEquals(epoch0Mirrored ? asIs : flipped, views[1], "sample " + sample);
                assertArrayEquals(views[0], views[2]);
                assertArrayEquals(views[1], views[3]);
            }
        }
    }

    private static SamplePlan identity(Augmentation aug) {
        SamplePlan p = aug.newPlan();
        p.reset();
        return p;
    }

    @Test
    void theFixedFlipIsAFairCoinPerImageAndSeed() {
        Augmentation aug = Augmentation.of(32, 32, new AlternatingFlip(), normalize);
        SamplePlan plan = aug.newPlan();
        int flipped = 0, sameAcrossSeeds = 0, n = 10_000;
        for (int i = 0; i < n; i++) {
            aug.draw(new SampleRandom(1, 0, i), plan);
            boolean seed1 = plan.mirrored();
            flipped += seed1 ? 1 : 0;
            aug.draw(new SampleRandom(2, 0, i), plan);
            sameAcrossSeeds += seed1 == plan.mirrored() ? 1 : 0;
        }
        // binomial(10,000, 0.5): sd 50, so ±250 is 5 sd
        assertEquals(n / 2.0, flipped, 250);
        assertEquals(n / 2.0, sameAcrossSeeds, 250);
    }

    @Test
    void airbenchPresetTranslatesByTwoAndKeepsTheOtherDraws() {
        Augmentation aug = AugmentPreset.AIRBENCH.augmentation(AugmentConfig.defaults(), normalize);
        SamplePlan a = aug.newPlan(), b = aug.newPlan();
        int moved = 0;
        for (int i = 0; i < 500; i++) {
            aug.draw(new SampleRandom(4, 0, i), a);
            aug.draw(new SampleRandom(4, 1, i), b);
            assertNotEquals(a.mirrored(), b.mirrored());
            int dy = a.offsetY();
            assertTrue(dy >= -2 && dy <= 2, "translate 2: offset " + dy);
            assertEquals(0, a.holeCount());
            moved += a.offsetY() != b.offsetY() ? 1 : 0;
        }
        assertTrue(moved > 300, "crops are drawn anew each epoch: " + moved);
    }
}
