package dev.superconv.bindings.distributed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.Work;

/**
 * The gradient half of DistributedDataParallel, which the presets do not map: after
 * {@code backward()} and before the optimizer step, every rank's gradients are replaced by their
 * mean over the ranks. Each rank's loss is the mean over its own {@code b} samples, so the mean of
 * the W rank gradients is the gradient of the mean loss over the global batch of {@code W·b}: the
 * optimizer then takes exactly the step a single process with the global batch would take.
 *
 * <p>Gradients are packed into a few flat buckets (≤ 25 MB each by default); all buckets'
 * all-reduces are started before the first is awaited, so packing bucket i+1 overlaps the
 * transfer of bucket i. A parameter that got no gradient on a rank contributes zeros there, and
 * gets the averaged gradient afterwards, as in DDP. The buckets outlive {@link #close()} as long as
 * a gradient still views them (libtorch reference-counts the storage).
 */
public final class GradientAllReducer implements AutoCloseable {
    private final DistributedContext context;
    private final List<Tensor> parameters;
    private final FlatBuckets buckets;
    private final Scalar worldSize;
    private long lastNanos;

    public GradientAllReducer(DistributedContext context, List<Tensor> parameters) {
        this(context, parameters, DistributedContext.DEFAULT_BUCKET_BYTES);
    }

    /** @param parameters the model's parameters in a fixed order, the same on every rank; frozen ones are skipped */
    public GradientAllReducer(DistributedContext context, List<Tensor> parameters, long bucketCapBytes) {
        this.context = context;
        List<Tensor> trainable = new ArrayList<>();
        for (Tensor p : parameters) {
            if (p.requires_grad()) {
                trainable.add(Owned.retain(p));
            }
        }
        this.parameters = List.copyOf(trainable);
        this.buckets = new FlatBuckets(this.parameters, bucketCapBytes);
        this.worldSize = Owned.retain(new Scalar((double) context.worldSize()));
    }

    public int bucketCount() {
        return buckets.buckets().size();
    }

    /** Wall time of the last {@link #averageGradients()} (pack, all-reduce, unpack), in nanoseconds. */
    public long lastNanos() {
        return lastNanos;
    }

    /**
     * Replaces each parameter's gradient by its mean over the ranks. Every rank must call it once
     * per step. Afterwards each gradient is a view into its bucket (DDP's
     * {@code gradient_as_bucket_view}): nothing is copied back, and if the optimizer zeroes
     * gradients in place instead of dropping them, the next backward accumulates straight into
     * the bucket and packing is skipped too.
     */
    public void averageGradients() {
        long start = System.nanoTime();
        try (PointerScope scope = new PointerScope()) {
            List<Tensor> grads = new ArrayList<>(parameters.size());
            for (Tensor p : parameters) {
                grads.add(p.grad());
            }
            List<FlatBuckets.Bucket> all = buckets.buckets();
            Work[] works = new Work[all.size()];
            for (int b = 0; b < all.size(); b++) {
                FlatBuckets.Bucket bucket = all.get(b);
                for (int k = 0; k < bucket.count(); k++) {
                    Tensor grad = grads.get(bucket.first() + k);
                    Tensor view = buckets.slice(bucket, k);
                    if (!grad.defined()) {
                        view.zero_();
                    } else if (!sameMemory(grad, view)) {
                        view.copy_(grad);
                    }
                }
                works[b] = context.startAllReduceSum(bucket.flat());
            }
            for (int b = 0; b < all.size(); b++) {
                FlatBuckets.Bucket bucket = all.get(b);
                context.await(works[b], "gradient all-reduce");
                bucket.flat().div_(worldSize);
                for (int k = 0; k < bucket.count(); k++) {
                    int i = bucket.first() + k;
                    if (!parameters.get(i).requires_grad()) {
                        continue; // frozen during the run (airbench's whitening bias): no gradient, so SGD leaves it alone
                    }
                    Tensor view = buckets.slice(bucket, k);
                    if (!grads.get(i).defined() || !sameMemory(grads.get(i), view)) {
                        // detach(): the same memory without autograd view metadata; optimizers call
                        // detach_() on gradients in zero_grad, which libtorch refuses on views.
                        parameters.get(i).mutable_grad().put(view.detach());
                    }
                }
            }
        }
        lastNanos = System.nanoTime() - start;
    }

    private static boolean sameMemory(Tensor a, Tensor b) {
        return a.data_ptr().address() == b.data_ptr().address()
                && Arrays.equals(a.strides().vec().get(), b.strides().vec().get());
    }

    @Override
    public void close() {
        for (Tensor p : parameters) {
            p.close();
        }
        buckets.close();
        worldSize.close();
    }
}
