package dev.superconv.core.model;

import dev.superconv.core.BadInputException;
import dev.superconv.core.data.Dataset;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The patch-whitening first layer of airbench and Page's "bag of tricks": a k×k conv whose filters
 * are the eigenvectors of the (uncentred) covariance of the training set's normalised k×k patches,
 * each divided by sqrt(eigenvalue + eps), stacked with their negatives so that a following
 * GELU/ReLU keeps both signs. Its outputs on those patches have covariance ≈ identity per half.
 *
 * <p>A patch vector is indexed {@code (c, dy, dx)} — the layout of a conv weight's input
 * dimensions — so filter {@code j} is {@code eigenvectors[j]} reshaped to {@code (C, k, k)}.
 * Eigenvalues are sorted from largest to smallest, as airbench's flipped {@code eigh}.
 *
 * @param kernel       k, the patch side
 * @param eigenvalues  C·k² eigenvalues, descending
 * @param eigenvectors C·k² rows of C·k² values, row j belonging to eigenvalues[j]
 */
public record PatchWhitening(int kernel, double[] eigenvalues, double[][] eigenvectors) {
    /** airbench's eps: keeps the filters of near-zero-variance directions bounded. */
    public static final double DEFAULT_EPS = 5e-4;

    /** Patch vector length C·k². */
    public int dimension() {
        return eigenvalues.length;
    }

    /** Output channels of the whitening conv: 2·C·k². */
    public int outChannels() {
        return 2 * dimension();
    }

    /**
     * Fits the layer on every k×k patch (stride 1, no padding) of {@code data}'s images,
     * normalised per channel as {@code (pixel/255 − mean) / std}.
     */
    public static PatchWhitening fit(Dataset data, int kernel, float[] mean, float[] std) {
        if (kernel < 1 || kernel > Dataset.HEIGHT) {
            throw new BadInputException("whitening kernel must be in 1.." + Dataset.HEIGHT + ", got " + kernel);
        }
        if (data.size() == 0) {
            throw new BadInputException("whitening needs at least one training image");
        }
        int c = Dataset.CHANNELS, d = c * kernel * kernel;
        double[] cov = patchCovariance(data, kernel, mean, std);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eig.decompose(new DMatrixRMaj(d, d, true, cov))) {
            throw new IllegalStateException("symmetric eigendecomposition of the " + d + "×" + d + " patch covariance failed");
        }
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(eig.getEigenvalue(b).real, eig.getEigenvalue(a).real));
        double[] values = new double[d];
        double[][] vectors = new double[d][];
        for (int j = 0; j < d; j++) {
            values[j] = eig.getEigenvalue(order[j]).real;
            vectors[j] = eig.getEigenVector(order[j]).getData().clone();
        }
        return new PatchWhitening(kernel, values, vectors);
    }

    /** The conv weight, shape (2·C·k², C, k, k) row-major: filters v/sqrt(λ + eps), then their negatives. */
    public float[] convWeights(double eps) {
        int d = dimension();
        float[] w = new float[2 * d * d];
        for (int j = 0; j < d; j++) {
            double scale = 1 / Math.sqrt(eigenvalues[j] + eps);
            for (int i = 0; i < d; i++) {
                float v = (float) (eigenvectors[j][i] * scale);
                w[j * d + i] = v;
                w[(d + j) * d + i] = -v;
            }
        }
        return w;
    }

    /** Row-major C·k² × C·k² matrix: mean of p·pᵀ over all patches p. */
    static double[] patchCovariance(Dataset data, int k, float[] mean, float[] std) {
        int c = Dataset.CHANNELS, h = data.imageSize(), w = data.imageSize(), d = c * k * k;
        double[] sum = new double[d * d];
        double[] image = new double[c * h * w];
        double[] p = new double[d];
        byte[] px = data.pixels();
        long count = 0;
        for (int n = 0; n < data.size(); n++) {
            int base = n * data.imageBytes();
            for (int y = 0; y < h; y++) { // HWC uint8 → CHW normalised
                for (int x = 0; x < w; x++) {
                    for (int ch = 0; ch < c; ch++) {
                        int v = Byte.toUnsignedInt(px[base + (y * w + x) * c + ch]);
                        image[(ch * h + y) * w + x] = (v / 255.0 - mean[ch]) / std[ch];
                    }
                }
            }
            for (int y = 0; y + k <= h; y++) {
                for (int x = 0; x + k <= w; x++) {
                    int i = 0;
                    for (int ch = 0; ch < c; ch++) {
                        for (int dy = 0; dy < k; dy++) {
                            for (int dx = 0; dx < k; dx++) {
                                p[i++] = image[(ch * h + y + dy) * w + x + dx];
                            }
                        }
                    }
                    for (int a = 0; a < d; a++) { // upper triangle only; mirrored below
                        double pa = p[a];
                        int row = a * d;
                        for (int b = a; b < d; b++) {
                            sum[row + b] += pa * p[b];
                        }
                    }
                    count++;
                }
            }
        }
        for (int a = 0; a < d; a++) {
            for (int b = a; b < d; b++) {
                double v = sum[a * d + b] / count;
                sum[a * d + b] = v;
                sum[b * d + a] = v;
            }
        }
        return sum;
    }
}
