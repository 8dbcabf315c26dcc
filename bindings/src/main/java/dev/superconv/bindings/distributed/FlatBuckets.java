package dev.superconv.bindings.distributed;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Tensors packed into a few flat 1-D buffers, as DDP does: one collective per bucket instead of
 * one per tensor (ResNet-9 has 30+ parameter tensors, most of them small, and each collective pays
 * a round trip). Consecutive tensors of the same dtype and device share a bucket until it would
 * exceed the cap; a tensor larger than the cap gets a bucket of its own. The buffers are allocated
 * once and reused every step.
 */
final class FlatBuckets implements AutoCloseable {

    /** One flat buffer and the slice {@code [offset, offset + numel)} of each member tensor. */
    record Bucket(Tensor flat, int first, int count, long[] offsets) {}

    private final long[][] shapes;
    private final long[] numels;
    private final List<Bucket> buckets = new ArrayList<>();

    FlatBuckets(List<Tensor> layout, long capBytes) {
        int n = layout.size();
        shapes = new long[n][];
        numels = new long[n];
        for (int i = 0; i < n; i++) {
            shapes[i] = layout.get(i).sizes().vec().get();
            numels[i] = layout.get(i).numel();
        }
        int start = 0;
        while (start < n) {
            Tensor head = layout.get(start);
            long bytes = numels[start] * head.element_size();
            int end = start + 1;
            while (end < n && sameKind(head, layout.get(end)) && bytes + numels[end] * head.element_size() <= capBytes) {
                bytes += numels[end] * head.element_size();
                end++;
            }
            long[] offsets = new long[end - start];
            long total = 0;
            for (int i = start; i < end; i++) {
                offsets[i - start] = total;
                total += numels[i];
            }
            Tensor flat = Owned.retain(torch.zeros(new long[] {total}, head.options()));
            buckets.add(new Bucket(flat, start, end - start, offsets));
            start = end;
        }
    }

    private static boolean sameKind(Tensor a, Tensor b) {
        // Enums returned by JavaCPP are fresh instances: compare their values, not their identity.
        return a.scalar_type().value == b.scalar_type().value
                && a.device().type().value == b.device().type().value
                && a.device().index() == b.device().index();
    }

    List<Bucket> buckets() {
        return buckets;
    }

    int tensorCount() {
        return numels.length;
    }

    /** Copies the bucket's members out of {@code sources} into its flat buffer; an undefined source packs as zeros. */
    void pack(Bucket bucket, List<Tensor> sources) {
        try (PointerScope scope = new PointerScope()) {
            for (int k = 0; k < bucket.count(); k++) {
                int i = bucket.first() + k;
                Tensor slice = bucket.flat().narrow(0, bucket.offsets()[k], numels[i]);
                Tensor source = sources.get(i);
                if (source == null || !source.defined()) {
                    slice.zero_();
                } else {
                    slice.copy_(source.reshape(-1));
                }
            }
        }
    }

    /** Copies the flat buffer back into the bucket's members of {@code targets}, which must be defined. */
    void unpack(Bucket bucket, List<Tensor> targets) {
        try (PointerScope scope = new PointerScope()) {
            for (int k = 0; k < bucket.count(); k++) {
                int i = bucket.first() + k;
                targets.get(i).copy_(slice(bucket, k));
            }
        }
    }

    /** Member {@code k} of a bucket as a view of the flat buffer in its original shape. */
    Tensor slice(Bucket bucket, int k) {
        int i = bucket.first() + k;
        return bucket.flat().narrow(0, bucket.offsets()[k], numels[i]).view(shapes[i]);
    }

    @Override
    public void close() {
        for (Bucket bucket : buckets) {
            bucket.flat().close();
        }
        buckets.clear();
    }
}
