package dev.superconv.bindings;

import dev.superconv.core.model.ModelSpec;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A 3×3 convolution (padding 1, no bias) and its batch norm, registered as {@code conv} and
 * {@code bn} so the parameter names are PyTorch's ({@code prep.conv.weight}, {@code prep.bn.bias}).
 */
class ConvBn extends Module {
    final Conv2dImpl conv;
    final BatchNorm2dImpl bn;

    ConvBn(int in, int out) {
        Conv2dOptions convOptions = new Conv2dOptions(in, out, new LongPointer(3L, 3L));
        convOptions.padding().put(new LongPointer(1L, 1L));
        convOptions.bias().put(false);
        conv = register_module("conv", new Conv2dImpl(convOptions));
        BatchNormOptions bnOptions = new BatchNormOptions(out);
        bnOptions.eps().put(ModelSpec.BN_EPS);
        bnOptions.momentum().put(ModelSpec.BN_MOMENTUM);
        bn = register_module("bn", new BatchNorm2dImpl(bnOptions));
    }

    /** conv → BN → ReLU, same spatial size. */
    Tensor forward(Tensor x) {
        return torch.relu(bn.forward(conv.forward(x)));
    }

    /** conv → max-pool 2 → BN → ReLU: the pooling sits between conv and BN as in the DAWNBench net. */
    Tensor forwardPooled(Tensor x) {
        return torch.relu(bn.forward(torch.max_pool2d(conv.forward(x), 2L)));
    }
}
