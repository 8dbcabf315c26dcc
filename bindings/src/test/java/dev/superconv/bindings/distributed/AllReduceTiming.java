package dev.superconv.bindings.distributed;

import dev.superconv.core.distributed.DistributedConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Measures {@link GradientAllReducer#averageGradients()} for a gradient of {@code floats} values
 * split like ResNet-9's parameter tensors would be, and the bare all-reduce of one flat buffer of
 * that size (a manual measurement, not a test assertion): prints the median and min over
 * {@code iterations} after two warm-up rounds. Run two ranks with mode {@code bench}.
 */
final class AllReduceTiming {
    private AllReduceTiming() {}

    static void run(DistributedConfig config, long floats, int iterations) {
        try (DistributedContext ctx = DistributedContext.open(config); PointerScope scope = new PointerScope()) {
            // ResNet-9 width 1 has 6.57 M parameters in tensors from 64 to 2.36 M values; 8 tensors suffice
            // to exercise several 25 MB buckets the same way.
            List<Tensor> params = new ArrayList<>();
            long left = floats;
            long[] sizes = {2_359_296, 1_179_648, 1_179_648, 589_824, 589_824, 294_912, 73_728, 1_728};
            for (int i = 0; i < sizes.length && left > 0; i++) {
                long n = i == sizes.length - 1 ? left : Math.min(left, sizes[i]);
                Tensor p = torch.zeros(n).set_requires_grad(true);
                p.sum().mul(new Scalar(config.rank() + 1.0)).backward();
                params.add(p);
                left -= n;
            }
            try (GradientAllReducer reducer = new GradientAllReducer(ctx, params)) {
                long[] nanos = new long[iterations];
                for (int i = -2; i < iterations; i++) {
                    ctx.barrier();
                    reducer.averageGradients();
                    if (i >= 0) {
                        nanos[i] = reducer.lastNanos();
                    }
                }
                Arrays.sort(nanos);
                DistributedWorker.print("buckets", reducer.bucketCount());
                DistributedWorker.print("floats", floats);
                DistributedWorker.print("median_ms", nanos[iterations / 2] / 1e6);
                DistributedWorker.print("min_ms", nanos[0] / 1e6);
                DistributedWorker.print("grad_first", params.get(0).grad().get(0).item_double());
            }
            // The bare collective on one flat buffer of the same size: what packing and unpacking add.
            Tensor flat = torch.ones(floats);
            long[] raw = new long[iterations];
            for (int i = -2; i < iterations; i++) {
                ctx.barrier();
                long start = System.nanoTime();
                ctx.allReduceSum(flat);
                if (i >= 0) {
                    raw[i] = System.nanoTime() - start;
                }
            }
            Arrays.sort(raw);
            DistributedWorker.print("raw_median_ms", raw[iterations / 2] / 1e6);
            DistributedWorker.print("raw_min_ms", raw[0] / 1e6);
        }
    }
}
