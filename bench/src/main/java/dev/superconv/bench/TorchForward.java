package dev.superconv.bench;

import dev.superconv.bindings.LayerNet;
import dev.superconv.bindings.Precision;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** The forward pass in a precision, as the trainer runs it, and copies of small tensors into Java. */
final class TorchForward {
    private TorchForward() {}

    /** bf16: autocast around the forward (fp32 weights kept), its weight cache cleared after. */
    static Tensor forward(LayerNet model, Tensor images, Precision precision) {
        if (precision == Precision.FP32) {
            return model.forward(images);
        }
        torch.set_autocast_dtype(torch.DeviceType.CPU, torch.ScalarType.BFloat16);
        torch.set_autocast_enabled(torch.DeviceType.CPU, true);
        try {
            return model.forward(images);
        } finally {
            torch.set_autocast_enabled(torch.DeviceType.CPU, false);
            torch.clear_cache();
        }
    }

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
