package dev.superconv.bindings;

import dev.superconv.core.augment.Batch;
import dev.superconv.core.augment.Layout;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * A {@link Batch}'s off-heap images and labels as libtorch tensors without a copy ({@code from_blob}
 * over the same memory). The tensors borrow the batch's buffers: use them only while the batch is
 * open, inside a {@code PointerScope}.
 *
 * @param images (N, 3, S, S) float32; channels-last strides when the batch is NHWC
 * @param labels (N) int64
 */
record TorchBatch(Tensor images, Tensor labels) {
    static TorchBatch of(Batch batch, Device device) {
        int n = batch.size();
        Pointer imageMemory = new Pointer(batch.images().asByteBuffer().order(ByteOrder.nativeOrder()));
        Pointer labelMemory = new Pointer(batch.labels().asByteBuffer().order(ByteOrder.nativeOrder()));
        TensorOptions floats = new TensorOptions(torch.ScalarType.Float);
        TensorOptions longs = new TensorOptions(torch.ScalarType.Long);
        long s = batch.imageSize();
        Tensor images = batch.layout() == Layout.NHWC
                ? torch.from_blob(imageMemory, new long[] {n, s, s, 3}, floats).permute(0, 3, 1, 2) // (N, 3, S, S) view, NHWC strides
                : torch.from_blob(imageMemory, new long[] {n, 3, s, s}, floats); // (N, 3, S, S)
        Tensor labels = torch.from_blob(labelMemory, new long[] {n}, longs); // (N)
        if (device.is_cuda()) {
            // The host copy must finish before the batch buffer is reused: a blocking copy.
            return new TorchBatch(images.to(device, torch.ScalarType.Float), labels.to(device, torch.ScalarType.Long));
        }
        return new TorchBatch(images, labels);
    }
}
