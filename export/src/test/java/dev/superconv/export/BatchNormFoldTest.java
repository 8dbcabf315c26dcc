package dev.superconv.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BatchNormFoldTest {
    @Test
    void scaleAndShiftOfInferenceBatchNorm() {
        // var + eps = 4 exactly would need var = 4 - 1e-5; use values whose results are exact in float
        BatchNormFold bn = BatchNormFold.of(new float[] {2f, -3f, 0f}, new float[] {1f, 0.5f, 7f},
                new float[] {0.25f, -2f, 9f}, new float[] {3.99999f, 0.99999f, 1f});
        float s0 = (float) (2 / Math.sqrt(3.99999f + 1e-5));
        float s1 = (float) (-3 / Math.sqrt(0.99999f + 1e-5));
        assertArrayEquals(new float[] {s0, s1, 0f}, bn.scale());
        assertArrayEquals(new float[] {(float) (1 - 0.25 * (2 / Math.sqrt(3.99999f + 1e-5))),
                (float) (0.5 + 2 * (-3 / Math.sqrt(0.99999f + 1e-5))), 7f}, bn.shift());
        assertArrayEquals(new float[] {1f, -1f, 1f}, bn.sign());
        assertArrayEquals(new float[] {s0, -s1, 0f}, bn.magnitude());
        assertFalse(bn.commutesWithMaxPool());
    }

    @Test
    void zeroAndPositiveScalesCommuteWithMaxPool() {
        assertTrue(BatchNormFold.of(new float[] {0f, 1f}, new float[2], new float[2], new float[] {1f, 1f}).commutesWithMaxPool());
    }

    @Test
    void scalesEachOutputChannelsBlock() {
        float[] w = {1, 2, 3, 4, 5, 6};                 // (2 out, 3 per channel)
        assertArrayEquals(new float[] {0.5f, 1, 1.5f, -8, -10, -12}, BatchNormFold.scaleOutputChannels(w, new float[] {0.5f, -2f}));
    }

    @Test
    void signSplitEqualsBatchNormAfterMaxPool() {
        // BN(max(z)) for a negative scale, computed directly and through sign·max(|s|·z) + shift
        float[] z = {0.3f, -1.2f, 2.5f, 0.7f};
        BatchNormFold bn = BatchNormFold.of(new float[] {-1.5f}, new float[] {0.2f}, new float[] {0.1f}, new float[] {2f});
        float max = Float.NEGATIVE_INFINITY;
        float maxScaled = Float.NEGATIVE_INFINITY;
        float naive = Float.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
            maxScaled = Math.max(maxScaled, bn.magnitude()[0] * v);
            naive = Math.max(naive, bn.scale()[0] * v + bn.shift()[0]);
        }
        float expected = bn.scale()[0] * max + bn.shift()[0];
        float split = bn.sign()[0] * maxScaled + bn.shift()[0];
        org.junit.jupiter.api.Assertions.assertEquals(expected, split, 1e-6f);
        // folding the whole BN before the pool would pick the minimum instead
        assertTrue(Math.abs(naive - expected) > 1f);
    }
}
