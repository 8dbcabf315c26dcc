package dev.superconv.bench;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Copies of small tensors into Java, for the probes' checks. */
final class TorchForward {
    private TorchForward() {}

    static float[] floats(Tensor t) {
        Tensor c = t.detach().to(torch.ScalarType.Float).contiguous();
        float[] out = new float[Math.toIntExact(c.numel())];
        c.data_ptr_float().capacity(out.length).get(out);
        return out;
    }

    static long[] longs(Tensor t) {
        Tensor c = t.to(torch.ScalarType.Long).contiguous();
        long[] out = new long[Math.toIntExact(c.numel())];
        c.data_ptr_long().capacity(out.length).get(out);
        return out;
    }
}
