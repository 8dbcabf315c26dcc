package dev.superconv.bindings;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * layer1 / layer3 of the Custom ResNet: conv → pool → BN → ReLU, then {@code x + res2(res1(x))}.
 * Children {@code conv}, {@code bn}, {@code res1}, {@code res2} give PyTorch's names
 * ({@code layer1.res1.conv.weight}, ...).
 */
final class ResidualStage extends Module {
    private final ConvBn main;
    private final ConvBn res1;
    private final ConvBn res2;

    ResidualStage(int in, int out) {
        main = new ConvBn(in, out);
        // The stage's own conv and BN sit directly under the stage (layer1.conv, layer1.bn).
        register_module("conv", main.conv);
        register_module("bn", main.bn);
        res1 = register_module("res1", new ConvBn(out, out));
        res2 = register_module("res2", new ConvBn(out, out));
    }

    /** (N, in, H, W) → (N, out, H/2, W/2). */
    Tensor forward(Tensor x) {
        Tensor y = main.forwardPooled(x); // (N, out, H/2, W/2)
        return y.add(res2.forward(res1.forward(y))); // residual at the same shape
    }
}
