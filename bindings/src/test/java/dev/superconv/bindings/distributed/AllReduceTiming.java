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

    /** Sorted wall times of {@code iterations} calls after two warm-ups; {@code prepare} runs untimed before each. */
    private static long[] time(DistributedContext ctx, GradientAllReducer reducer, int iterations, Runnable prepare) {
        long[] nanos = new long[iterations];
        for (int i = -2; i < iterations; i++) {
            try (PointerScope scope = new PointerScope()) {
                prepare.run();
            }
            ctx.barrier();
            reducer.averageGradients();
            if (i >= 0) {
                nanos[i] = reducer.lastNanos();
            }
        }
        Arrays.sort(nanos);
        return nanos;
    }

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
                // As after zero_grad(set_to_none=true): backward leaves fresh gradient tensors, which are packed.
                long[] fresh = time(ctx, reducer, iterations, () -> {
                    for (Tensor p : params) {
                        p.mutable_grad().put(torch.full(p.sizes().vec().get(), new Scalar(config.rank() + 1.0)));
                    }
                });
                // As after an in-place zero_grad: the gradients already live in the buckets, nothing is copied.
                long[] inPlace = time(ctx, reducer, iterations, () -> { });
                DistributedWorker.print("buckets", reducer.bucketCount());
                DistributedWorker.print("floats", floats);
                DistributedWorker.print("fresh_median_ms", fresh[iterations / 2] / 1e6);
                DistributedWorker.print("fresh_min_ms", fresh[0] / 1e6);
                DistributedWorker.print("in_place_median_ms", inPlace[iterations / 2] / 1e6);
                DistributedWorker.print("in_place_min_ms", inPlace[0] / 1e6);
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
