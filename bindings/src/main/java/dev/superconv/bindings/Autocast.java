package dev.superconv.bindings;

import dev.superconv.core.model.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** The model's forward pass in the requested precision (bf16 autocast on CPU or CUDA, fp32 weights kept). */
public final class Autocast {
    private Autocast() {}

    public static Tensor forward(LayerNet model, Tensor images, Precision precision, Device device) {
        if (precision == Precision.FP32) {
            return model.forward(images);
        }
        torch.DeviceType type = device == Device.CUDA ? torch.DeviceType.CUDA : torch.DeviceType.CPU;
        torch.set_autocast_dtype(type, torch.ScalarType.BFloat16);
        torch.set_autocast_enabled(type, true);
        try {
            return model.forward(images);
        } finally {
            torch.set_autocast_enabled(type, false);
            // autocast caches bf16 copies of the weights; they are stale after the next optimizer step
            torch.clear_cache();
        }
    }
}
