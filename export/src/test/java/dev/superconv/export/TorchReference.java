package dev.superconv.export;

import dev.superconv.bindings.Natives;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.model.Tta;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The network of {@link ModelSpec} in eval mode, computed by libtorch's own functional ops
 * (conv2d, max_pool2d, batch_norm, relu, linear) straight from the checkpoint tensors: the
 * reference the exported graph must reproduce.
 */
final class TorchReference {
    private TorchReference() {}

    /** Logits or softmax probabilities (N, classes), averaged over the views of {@code tta} as airbench weights them. */
    static float[] run(Checkpoint ckpt, ModelSpec spec, float[] nchw, int n, Tta tta, boolean probs) {
        Natives.load();
        try (PointerScope scope = new PointerScope()) {
            Tensor x = fromArray(nchw, n, 3, 32, 32);
            Tensor out = switch (tta) {
                case NONE -> head(forward(ckpt, spec, x), probs);
                case FLIP -> mirrorMean(ckpt, spec, x, probs);
                case FLIP_TRANSLATE -> {
                    Tensor padded = torch.pad(x, new long[] {1, 1, 1, 1}, "reflect", new org.bytedeco.pytorch.DoubleOptional());
                    Tensor upLeft = padded.narrow(2, 0, 32).narrow(3, 0, 32);
                    Tensor downRight = padded.narrow(2, 2, 32).narrow(3, 2, 32);
                    Tensor shifted = mirrorMean(ckpt, spec, upLeft, probs).add(mirrorMean(ckpt, spec, downRight, probs)).div(new Scalar(2.0));
                    yield mirrorMean(ckpt, spec, x, probs).add(shifted).div(new Scalar(2.0));
                }
            };
            return toArray(out, n * spec.numClasses());
        }
    }

    private static Tensor mirrorMean(Checkpoint ckpt, ModelSpec spec, Tensor x, boolean probs) {
        return head(forward(ckpt, spec, x), probs).add(head(forward(ckpt, spec, x.flip(3)), probs)).div(new Scalar(2.0));
    }

    private static Tensor head(Tensor logits, boolean probs) {
        return probs ? torch.softmax(logits, 1) : logits;
    }

    private static Tensor forward(Checkpoint c, ModelSpec spec, Tensor x) {
        x = block(c, "prep", x, false);                                   // (N, c1, 32, 32)
        x = block(c, "layer1", x, true);                                  // (N, c2, 16, 16)
        x = x.add(block(c, "layer1.res2", block(c, "layer1.res1", x, false), false));
        x = block(c, "layer2", x, true);                                  // (N, c3, 8, 8)
        x = block(c, "layer3", x, true);                                  // (N, c4, 4, 4)
        x = x.add(block(c, "layer3.res2", block(c, "layer3.res1", x, false), false));
        x = torch.max_pool2d(x, new long[] {4, 4}, new long[] {4, 4}, new long[] {0, 0}, new long[] {1, 1}, false);
        x = x.reshape(x.size(0), x.size(1));                              // (N, c4)
        return torch.linear(x, tensor(c, "fc.weight")).mul(new Scalar(spec.logitScale()));
    }

    private static Tensor block(Checkpoint c, String name, Tensor x, boolean pool) {
        Tensor y = torch.conv2d(x, tensor(c, name + ".conv.weight"), new TensorOptional(),
                new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}, 1);
        if (pool) {
            y = torch.max_pool2d(y, new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0}, new long[] {1, 1}, false);
        }
        y = torch.batch_norm(y,
                new TensorOptional(tensor(c, name + ".bn.weight")), new TensorOptional(tensor(c, name + ".bn.bias")),
                new TensorOptional(tensor(c, name + ".bn.running_mean")), new TensorOptional(tensor(c, name + ".bn.running_var")),
                false, ModelSpec.BN_MOMENTUM, ModelSpec.BN_EPS, false);
        return torch.relu(y);
    }

    private static Tensor tensor(Checkpoint c, String name) {
        Checkpoint.Tensor t = c.tensor(name);
        return fromArray(t.data(), t.shape());
    }

    static Tensor fromArray(float[] data, long... shape) {
        FloatPointer p = new FloatPointer(data);
        return torch.from_blob(p, shape).clone(); // owns its memory once p is freed
    }

    static float[] toArray(Tensor t, int count) {
        float[] out = new float[count];
        t.contiguous().data_ptr_float().get(out);
        return out;
    }
}
