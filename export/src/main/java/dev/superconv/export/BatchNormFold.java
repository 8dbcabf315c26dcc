package dev.superconv.export;

import dev.superconv.core.model.ModelSpec;

/**
 * Inference-mode BatchNormalization as a per-channel affine map {@code y = scale * x + shift}
 * with {@code scale = gamma / sqrt(var + eps)} and {@code shift = beta - mean * scale}, and the
 * arithmetic to fold it into a convolution. Computed in double, rounded once to float.
 */
public record BatchNormFold(float[] scale, float[] shift) {
    /** With PyTorch's default eps. */
    public static BatchNormFold of(float[] gamma, float[] beta, float[] mean, float[] var) {
        return of(gamma, beta, mean, var, ModelSpec.BN_EPS);
    }

    public static BatchNormFold of(float[] gamma, float[] beta, float[] mean, float[] var, double eps) {
        int c = gamma.length;
        float[] scale = new float[c];
        float[] shift = new float[c];
        for (int i = 0; i < c; i++) {
            double s = gamma[i] / Math.sqrt(var[i] + eps);
            scale[i] = (float) s;
            shift[i] = (float) (beta[i] - mean[i] * s);
        }
        return new BatchNormFold(scale, shift);
    }

    /**
     * True when the map commutes with max-pooling: {@code max(s·x + t) = s·max(x) + t} needs
     * {@code s ≥ 0}; a negative scale turns the max into a min.
     */
    public boolean commutesWithMaxPool() {
        for (float s : scale) {
            if (s < 0) {
                return false;
            }
        }
        return true;
    }

    /** Conv weights (out, in, kh, kw) with output channel o multiplied by {@code factor[o]}. */
    public static float[] scaleOutputChannels(float[] weight, float[] factor) {
        int perChannel = weight.length / factor.length;
        float[] out = new float[weight.length];
        for (int o = 0; o < factor.length; o++) {
            double f = factor[o];
            for (int k = o * perChannel, end = k + perChannel; k < end; k++) {
                out[k] = (float) (weight[k] * f);
            }
        }
        return out;
    }

    /** The folded bias of a conv with bias {@code c} before the BN: {@code scale·c + shift}. */
    public float[] shiftWithBias(float[] c) {
        float[] out = new float[shift.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = c[i] == 0 ? shift[i] : (float) ((double) scale[i] * c[i] + shift[i]);
        }
        return out;
    }

    /** {@code |scale|·c}: a conv bias carried through the sign split. */
    public float[] magnitudeTimes(float[] c) {
        float[] out = new float[c.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (Math.abs((double) scale[i]) * c[i]);
        }
        return out;
    }

    /** |scale|: positive factors commute with max-pool, so they can go into the conv before it. */
    public float[] magnitude() {
        float[] m = new float[scale.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = Math.abs(scale[i]);
        }
        return m;
    }

    /** sign(scale) as ±1 (0 counts as +1: a zero scale leaves only the shift either way). */
    public float[] sign() {
        float[] s = new float[scale.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = scale[i] < 0 ? -1f : 1f;
        }
        return s;
    }
}
