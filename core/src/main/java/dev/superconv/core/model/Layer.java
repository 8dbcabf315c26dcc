package dev.superconv.core.model;

import java.util.List;

/**
 * One step of a network's forward pass, as data. An {@link Architecture} is a list of these; the
 * libtorch module, the ONNX graph, the state-tensor list, the parameter count and the FLOP count
 * are all read off the same list, so no architecture is written more than once.
 */
public sealed interface Layer {
    /** k×k convolution, stride 1, {@code padding} on every side. State: {@code NAME.weight (out, in, k, k)}, {@code NAME.bias}. */
    record Conv(String name, int in, int out, int kernel, int padding, boolean bias) implements Layer {}

    /** BatchNorm over channels. State: {@code NAME.weight}, {@code NAME.bias}, {@code NAME.running_mean}, {@code NAME.running_var}. */
    record BatchNorm(String name, int channels) implements Layer {}

    /** Element-wise activation. */
    record Activation(Function function) implements Layer {}

    /** Max-pool with window = stride = {@code size}, floor mode (PyTorch's default). */
    record MaxPool(int size) implements Layer {}

    /** {@code x + body(x)}: the body must keep the shape. */
    record Residual(List<Layer> body) implements Layer {
        public Residual {
            body = List.copyOf(body);
        }
    }

    /** (N, C, 1, 1) → (N, C); the spatial size must be 1×1 by then. */
    record Flatten() implements Layer {}

    /** Fully connected, no bias. State: {@code NAME.weight (out, in)}. */
    record Linear(String name, int in, int out) implements Layer {}

    /** Multiplies by a constant (the logit scale). */
    record Scale(double factor) implements Layer {}

    /** ReLU; GELU in its exact erf form (PyTorch's {@code nn.GELU()}); CELU with α = {@link #CELU_ALPHA}. */
    enum Function {
        RELU, GELU, CELU;

        /** Page's bag-of-tricks value: with BN scales frozen at 1, a small α keeps CELU's curve on the pre-activations' scale. */
        public static final double CELU_ALPHA = 0.3;

        public static Function parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "relu" -> RELU;
                case "gelu" -> GELU;
                case "celu" -> CELU;
                default -> throw new dev.superconv.core.BadInputException("--activation must be relu, gelu or celu, got '" + s + "'");
            };
        }
    }
}
