package dev.superconv.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.data.Dataset;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PatchWhiteningTest {
    private static final float[] MEAN = {0.49f, 0.48f, 0.45f};
    private static final float[] STD = {0.25f, 0.24f, 0.26f};

    /** Smooth, channel-correlated images: neighbouring pixels and channels covary, as in photos. */
    private static Dataset images(int n) {
        SplittableRandom rng = new SplittableRandom(7);
        byte[] px = new byte[n * Dataset.IMAGE_BYTES];
        for (int i = 0; i < n; i++) {
            double fx = rng.nextDouble(0.1, 0.6), fy = rng.nextDouble(0.1, 0.6), phase = rng.nextDouble(6.3);
            double[] tint = {rng.nextDouble(0.5, 1), rng.nextDouble(0.5, 1), rng.nextDouble(0.5, 1)};
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    double s = 0.5 + 0.35 * Math.sin(fx * x + fy * y + phase);
                    for (int c = 0; c < 3; c++) {
                        double v = 255 * (s * tint[c] + 0.1 * rng.nextDouble());
                        px[i * Dataset.IMAGE_BYTES + (y * 32 + x) * 3 + c] = (byte) Math.min(255, Math.max(0, Math.round(v)));
                    }
                }
            }
        }
        return new Dataset(px, new byte[n], List.of("a", "b"));
    }

    /** Covariance of the whitening conv's outputs on the patches it was fitted on: W C Wᵀ. */
    private static double[][] outputCovariance(PatchWhitening white, double[] cov, double eps) {
        float[] w = white.convWeights(eps);
        int d = white.dimension(), out = white.outChannels();
        double[][] result = new double[out][out];
        for (int a = 0; a < out; a++) {
            for (int b = 0; b < out; b++) {
                double s = 0;
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < d; j++) {
                        s += w[a * d + i] * cov[i * d + j] * w[b * d + j];
                    }
                }
                result[a][b] = s;
            }
        }
        return result;
    }

    @Test
    void outputsAreWhiteOnTheFittedPatches() {
        for (int k : new int[] {2, 3}) {
            Dataset data = images(40);
            PatchWhitening white = PatchWhitening.fit(data, k, MEAN, STD);
            int d = 3 * k * k;
            assertEquals(d, white.dimension());
            assertEquals(2 * d, white.outChannels());
            for (int j = 1; j < d; j++) {
                assertTrue(white.eigenvalues()[j] <= white.eigenvalues()[j - 1], "descending");
            }
            double[] cov = PatchWhitening.patchCovariance(data, k, MEAN, STD);
            double[][] outCov = outputCovariance(white, cov, 0);
            for (int a = 0; a < 2 * d; a++) {
                for (int b = 0; b < 2 * d; b++) {
                    // identity in each half; the negated half is −identity against the first
                    double expected = a == b ? 1 : (Math.abs(a - b) == d ? -1 : 0);
                    assertEquals(expected, outCov[a][b], 2e-3, "k " + k + " (" + a + ", " + b + ")");
                }
            }
            // With eps, direction j keeps variance λ/(λ + eps): the small directions are damped.
            double[][] damped = outputCovariance(white, cov, PatchWhitening.DEFAULT_EPS);
            for (int j = 0; j < d; j++) {
                double lambda = white.eigenvalues()[j];
                assertEquals(lambda / (lambda + PatchWhitening.DEFAULT_EPS), damped[j][j], 2e-3, "k " + k + " direction " + j);
            }
        }
    }

    @Test
    void covarianceUsesTheConvWeightLayout() {
        // Reference: list every 2×2 patch explicitly as (c, dy, dx) and average the outer products.
        Dataset data = images(2);
        int k = 2, d = 12;
        double[] expected = new double[d * d];
        int count = 0;
        for (int n = 0; n < 2; n++) {
            for (int y = 0; y < 31; y++) {
                for (int x = 0; x < 31; x++) {
                    double[] p = new double[d];
                    for (int c = 0; c < 3; c++) {
                        for (int dy = 0; dy < k; dy++) {
                            for (int dx = 0; dx < k; dx++) {
                                int v = Byte.toUnsignedInt(data.pixels()[n * Dataset.IMAGE_BYTES + ((y + dy) * 32 + x + dx) * 3 + c]);
                                p[c * 4 + dy * 2 + dx] = (v / 255.0 - MEAN[c]) / STD[c];
                            }
                        }
                    }
                    for (int a = 0; a < d; a++) {
                        for (int b = 0; b < d; b++) {
                            expected[a * d + b] += p[a] * p[b];
                        }
                    }
                    count++;
                }
            }
        }
        double[] actual = PatchWhitening.patchCovariance(data, k, MEAN, STD);
        for (int i = 0; i < d * d; i++) {
            assertEquals(expected[i] / count, actual[i], 1e-12, "element " + i);
        }
    }

    @Test
    void weightsAreScaledEigenvectorsThenTheirNegatives() {
        PatchWhitening white = new PatchWhitening(1, new double[] {4, 1, 0.25}, new double[][] {{1, 0, 0}, {0, 0, 1}, {0, 1, 0}});
        float[] w = white.convWeights(0);
        float[] expected = {0.5f, 0, 0, 0, 0, 1, 0, 2, 0, -0.5f, 0, 0, 0, 0, -1, 0, -2, 0};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], w[i], 0, "index " + i);
        }
    }
}
