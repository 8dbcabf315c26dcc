package dev.superconv.bench;

import dev.superconv.bindings.Natives;
import dev.superconv.bindings.Precision;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** The machine's practical compute ceiling: an n × n × n matmul through libtorch (oneDNN/BLAS), GFLOP/s. */
public final class MatmulProbe implements AutoCloseable {
    private final int n;
    private final Precision precision;
    private final Tensor a;
    private final Tensor b;

    public MatmulProbe(int n, Precision precision) {
        Natives.load();
        this.n = n;
        this.precision = precision;
        torch.manual_seed(3);
        torch.ScalarType type = precision == Precision.BF16 ? torch.ScalarType.BFloat16 : torch.ScalarType.Float;
        a = torch.randn(n, n).to(type);
        b = torch.randn(n, n).to(type);
    }

    /** {@code reps} products; GFLOP/s at 2n³ floating-point operations each. */
    public double run(int reps) {
        long t0 = System.nanoTime();
        for (int r = 0; r < reps; r++) {
            try (PointerScope scope = new PointerScope()) {
                torch.matmul(a, b);
            }
        }
        return Stats.perSecond(2.0 * n * n * n * reps / 1e9, System.nanoTime() - t0);
    }

    /**
     * Sixteen entries of the product against double-precision dot products of the same (rounded)
     * inputs, within a fraction of Σ|a·b| (the scale of the rounding error): 1e-5 in fp32; 1e-2
     * in bf16, which rounds the output to an 8-bit mantissa.
     */
    public void check() {
        try (PointerScope scope = new PointerScope()) {
            float[] c = TorchForward.floats(torch.matmul(a, b));
            float[] x = TorchForward.floats(a);
            float[] y = TorchForward.floats(b);
            for (int k = 0; k < 16; k++) {
                int i = (int) ((k * 7919L) % n);
                int j = (int) ((k * 104729L + 13) % n);
                double dot = 0;
                double mag = 0;
                for (int t = 0; t < n; t++) {
                    dot += (double) x[i * n + t] * y[t * n + j];
                    mag += Math.abs((double) x[i * n + t] * y[t * n + j]);
                }
                double tolerance = precision == Precision.BF16 ? 1e-2 * mag : 1e-5 * mag;
                Checks.that(Math.abs(c[i * n + j] - dot) <= tolerance, "matmul entry (" + i + ", " + j + ") " + c[i * n + j] + " equals " + dot);
            }
        }
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
