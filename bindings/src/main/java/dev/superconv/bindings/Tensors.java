package dev.superconv.bindings;

import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Copies between libtorch tensors and the checkpoint's float32 arrays. Call inside a PointerScope. */
final class Tensors {
    private Tensors() {}

    /** A float32 copy in contiguous row-major (NCHW) order, whatever the tensor's device, dtype or strides. */
    static Checkpoint.Tensor toArray(Tensor t) {
        Tensor c = t.detach().to(torch.ScalarType.Float).cpu().contiguous();
        long[] shape = c.sizes().vec().get();
        float[] data = new float[Math.toIntExact(c.numel())];
        FloatPointer ptr = c.data_ptr_float();
        ptr.capacity(data.length).get(data);
        return new Checkpoint.Tensor(shape, data);
    }

    /** {@code target.copy_(source)}, after checking the shape; keeps the target's device and strides. */
    static void copyInto(Tensor target, Checkpoint.Tensor source, String name) {
        long[] shape = target.sizes().vec().get();
        if (!Arrays.equals(shape, source.shape())) {
            throw new BadInputException("tensor " + name + " has shape " + Arrays.toString(source.shape())
                    + " in the checkpoint but " + Arrays.toString(shape) + " in the model (another --width?)");
        }
        FloatPointer data = new FloatPointer(source.data());
        Tensor view = torch.from_blob(data, shape); // the FloatPointer owns the memory until the scope closes
        target.copy_(view);
    }
}
