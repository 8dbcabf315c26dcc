package dev.superconv.core.model;

import dev.superconv.core.BadInputException;
import dev.superconv.core.model.Layer.Activation;
import dev.superconv.core.model.Layer.BatchNorm;
import dev.superconv.core.model.Layer.Conv;
import dev.superconv.core.model.Layer.Flatten;
import dev.superconv.core.model.Layer.Function;
import dev.superconv.core.model.Layer.Linear;
import dev.superconv.core.model.Layer.MaxPool;
import dev.superconv.core.model.Layer.Residual;
import dev.superconv.core.model.Layer.Scale;
import dev.superconv.core.model.ModelSpec.Kind;
import dev.superconv.core.model.ModelSpec.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * A network as an ordered list of {@link Layer}s over 3-channel square images. Walking the list
 * with the input shape checks that every layer fits the previous one and gives the state tensors
 * (PyTorch state-dict names and shapes), the parameter count and the forward FLOPs.
 *
 * @param name   "custom-resnet" or "airbench"
 * @param layers forward order
 */
public record Architecture(String name, List<Layer> layers) {
    /** The name of airbench's whitening conv (its weights are fitted, not learned). */
    public static final String WHITENING_LAYER = "whiten";

    public Architecture {
        layers = List.copyOf(layers);
    }

    /** The Custom ResNet (ResNet-9) of {@link ModelSpec}, layer for layer and name for name, for 32×32 input. */
    public static Architecture customResNet(ModelSpec spec, Function activation) {
        return customResNet(spec, activation, 32);
    }

    /** As above for {@code imageSize}² input; the three 2× pools need {@code imageSize} a multiple of 8. */
    public static Architecture customResNet(ModelSpec spec, Function activation, int imageSize) {
        List<Layer> l = new ArrayList<>();
        convBnAct(l, spec.convBlocks().get(0), activation, false);                        // prep    (N, c0, 32, 32)
        return customResNetBody(spec, activation, imageSize, l);
    }

    /**
     * Page's "bag of tricks" front: a fitted k×k whitening conv (2·3·k² channels, "same" padding,
     * bias) → activation → the prep block as a 1×1 conv from those channels, then the Custom ResNet
     * unchanged. The activation between them is airbench's: it is what makes the negated filters
     * carry information a linear 1×1 conv could not get from the positive ones alone.
     */
    public static Architecture customResNetWhitened(ModelSpec spec, Function activation, int kernel) {
        return customResNetWhitened(spec, activation, kernel, 32);
    }

    /** As above for {@code imageSize}² input (a multiple of 8). */
    public static Architecture customResNetWhitened(ModelSpec spec, Function activation, int kernel, int imageSize) {
        int white = 2 * 3 * kernel * kernel;
        ModelSpec.ConvBlock prep = spec.convBlocks().get(0);
        List<Layer> l = new ArrayList<>();
        l.add(new Conv(WHITENING_LAYER, 3, white, kernel, kernel / 2, true));              // (N, 54, 32, 32) for k = 3
        l.add(new Activation(activation));
        l.add(new Conv(prep.name() + ".conv", white, prep.out(), 1, 0, false));            // prep    (N, c0, 32, 32)
        l.add(new BatchNorm(prep.name() + ".bn", prep.out()));
        l.add(new Activation(activation));
        return customResNetBody(spec, activation, imageSize, l);
    }

    private static Architecture customResNetBody(ModelSpec spec, Function activation, int imageSize, List<Layer> l) {
        if (imageSize < 8 || imageSize % 8 != 0) {
            throw new BadInputException("the Custom ResNet needs an input size that is a multiple of 8 (three 2× max-pools), got " + imageSize);
        }
        List<ModelSpec.ConvBlock> blocks = spec.convBlocks();
        convBnAct(l, blocks.get(1), activation, true);                                    // layer1  (N, c1, 16, 16)
        l.add(new Residual(residualBody(blocks.get(2), blocks.get(3), activation)));
        convBnAct(l, blocks.get(4), activation, true);                                    // layer2  (N, c2,  8,  8)
        convBnAct(l, blocks.get(5), activation, true);                                    // layer3  (N, c3,  4,  4)
        l.add(new Residual(residualBody(blocks.get(6), blocks.get(7), activation)));
        l.add(globalMaxPool(l, imageSize));                                               // (N, c3, 1, 1); max-pool 4 at 32
        l.add(new Flatten());
        l.add(new Linear("fc", spec.channels(3), spec.numClasses()));
        l.add(new Scale(spec.logitScale()));
        return new Architecture("custom-resnet", l);
    }

    /**
     * Keller Jordan's airbench94 net: whitening conv (k×k, 2·3·k² channels, bias) → activation →
     * three groups [conv → max-pool 2 → BN → act → conv → BN → act] of widths 64, 256, 256 ×
     * {@code width} → max-pool 3 → flatten → linear (no bias) → × {@code logitScale} (1/9).
     */
    public static Architecture airbench(double width, int whiteningKernel, Function activation, double logitScale, int classes) {
        return airbench(width, whiteningKernel, activation, logitScale, classes, 32);
    }

    /** As above for {@code imageSize}² input: any size that leaves at least 1×1 after the whitening conv and three 2× pools. */
    public static Architecture airbench(double width, int whiteningKernel, Function activation, double logitScale, int classes, int imageSize) {
        if (!(width > 0 && width <= 8)) {
            throw new BadInputException("--width must be in (0, 8], got " + width);
        }
        int white = 2 * 3 * whiteningKernel * whiteningKernel;
        int[] widths = {scaled(64, width), scaled(256, width), scaled(256, width)};
        List<Layer> l = new ArrayList<>();
        l.add(new Conv(WHITENING_LAYER, 3, white, whiteningKernel, 0, true));                  // (N, 24, 31, 31) for k = 2
        l.add(new Activation(activation));
        int in = white;
        for (int g = 0; g < 3; g++) {                                                     // (N, w, 15|7|3, 15|7|3)
            String p = "block" + (g + 1);
            l.add(new Conv(p + ".conv1", in, widths[g], 3, 1, false));
            l.add(new MaxPool(2));
            l.add(new BatchNorm(p + ".norm1", widths[g]));
            l.add(new Activation(activation));
            l.add(new Conv(p + ".conv2", widths[g], widths[g], 3, 1, false));
            l.add(new BatchNorm(p + ".norm2", widths[g]));
            l.add(new Activation(activation));
            in = widths[g];
        }
        l.add(globalMaxPool(l, imageSize));                                               // (N, w3, 1, 1); max-pool 3 at 32
        l.add(new Flatten());
        l.add(new Linear("head", in, classes));
        l.add(new Scale(logitScale));
        return new Architecture("airbench", l);
    }

    /**
     * The head's pool: a max-pool whose window is the whole remaining map, so the net takes any
     * input size its pools allow and the parameter count does not depend on it; at 32×32 it is
     * exactly the fixed pool the nets were trained with.
     */
    private static MaxPool globalMaxPool(List<Layer> before, int imageSize) {
        Shape s = walk(before, new Shape(3, imageSize, imageSize), new Walk());
        require(s.height() >= 1 && s.height() == s.width(), "input " + imageSize + "×" + imageSize + " leaves a " + s.height() + "×" + s.width() + " map before the head");
        return new MaxPool(s.height());
    }

    private static int scaled(int channels, double width) {
        return Math.max(1, (int) Math.round(channels * width));
    }

    private static void convBnAct(List<Layer> l, ModelSpec.ConvBlock b, Function act, boolean pool) {
        l.add(new Conv(b.name() + ".conv", b.in(), b.out(), 3, 1, false));
        if (pool) {
            l.add(new MaxPool(2));
        }
        l.add(new BatchNorm(b.name() + ".bn", b.out()));
        l.add(new Activation(act));
    }

    private static List<Layer> residualBody(ModelSpec.ConvBlock a, ModelSpec.ConvBlock b, Function act) {
        List<Layer> body = new ArrayList<>();
        convBnAct(body, a, act, false);
        convBnAct(body, b, act, false);
        return body;
    }

    /** Names of every BatchNorm layer, in forward order. */
    public List<String> batchNormNames() {
        List<String> out = new ArrayList<>();
        collectBatchNorms(layers, out);
        return out;
    }

    private static void collectBatchNorms(List<Layer> layers, List<String> out) {
        for (Layer l : layers) {
            if (l instanceof BatchNorm b) {
                out.add(b.name());
            } else if (l instanceof Residual r) {
                collectBatchNorms(r.body(), out);
            }
        }
    }

    /** Tensor shape between layers: (C, H, W), or (features) after Flatten (h = w = 0). */
    public record Shape(int channels, int height, int width) {}

    /** Shape after the whole net for {@code size}×{@code size} input; throws when a layer does not fit. */
    public Shape outputShape(int size) {
        return walk(layers, new Shape(3, size, size), new Walk());
    }

    /** Every state tensor in forward order, as {@link ModelSpec#stateTensors()} lists them. */
    public List<TensorSpec> stateTensors() {
        List<TensorSpec> out = new ArrayList<>();
        collectTensors(layers, out);
        return out;
    }

    private static void collectTensors(List<Layer> layers, List<TensorSpec> out) {
        for (Layer layer : layers) {
            switch (layer) {
                case Conv c -> {
                    out.add(new TensorSpec(c.name() + ".weight", new long[] {c.out(), c.in(), c.kernel(), c.kernel()}, Kind.PARAMETER));
                    if (c.bias()) {
                        out.add(new TensorSpec(c.name() + ".bias", new long[] {c.out()}, Kind.PARAMETER));
                    }
                }
                case BatchNorm b -> {
                    for (String t : new String[] {"weight", "bias"}) {
                        out.add(new TensorSpec(b.name() + "." + t, new long[] {b.channels()}, Kind.PARAMETER));
                    }
                    for (String t : new String[] {"running_mean", "running_var"}) {
                        out.add(new TensorSpec(b.name() + "." + t, new long[] {b.channels()}, Kind.BUFFER));
                    }
                }
                case Residual r -> collectTensors(r.body(), out);
                case Linear lin -> out.add(new TensorSpec(lin.name() + ".weight", new long[] {lin.out(), lin.in()}, Kind.PARAMETER));
                case Activation a -> { }
                case MaxPool p -> { }
                case Flatten f -> { }
                case Scale sc -> { }
            }
        }
    }

    /** Parameters (trainable or frozen), as PyTorch's {@code sum(p.numel() for p in parameters())}. */
    public long parameterCount() {
        return stateTensors().stream().filter(t -> t.kind() == Kind.PARAMETER).mapToLong(TensorSpec::numel).sum();
    }

    /** 2 × multiply-adds of the convs and the linear layer per image (BN, activations and pools not counted). */
    public double forwardFlopsPerImage(int size) {
        Walk w = new Walk();
        walk(layers, new Shape(3, size, size), w);
        return w.flops;
    }

    private static final class Walk {
        double flops;
    }

    private static Shape walk(List<Layer> layers, Shape s, Walk w) {
        for (Layer layer : layers) {
            s = switch (layer) {
                case Conv c -> {
                    require(s.channels() == c.in() && s.height() > 0, c.name() + " expects " + c.in() + " channels, gets " + s);
                    int h = s.height() + 2 * c.padding() - c.kernel() + 1, wd = s.width() + 2 * c.padding() - c.kernel() + 1;
                    require(h > 0 && wd > 0, c.name() + ": input " + s + " smaller than its kernel");
                    w.flops += 2.0 * c.in() * c.out() * c.kernel() * c.kernel() * h * wd;
                    yield new Shape(c.out(), h, wd);
                }
                case BatchNorm b -> {
                    require(s.channels() == b.channels(), b.name() + " expects " + b.channels() + " channels, gets " + s);
                    yield s;
                }
                case MaxPool p -> {
                    require(s.height() >= p.size() && s.width() >= p.size(), "max-pool " + p.size() + " on " + s);
                    yield new Shape(s.channels(), s.height() / p.size(), s.width() / p.size());
                }
                case Residual r -> {
                    Shape out = walk(r.body(), s, w);
                    require(out.equals(s), "residual body changes the shape " + s + " → " + out);
                    yield s;
                }
                case Flatten f -> {
                    require(s.height() == 1 && s.width() == 1, "flatten needs 1×1 maps, gets " + s);
                    yield new Shape(s.channels(), 0, 0);
                }
                case Linear lin -> {
                    require(s.height() == 0 && s.channels() == lin.in(), lin.name() + " expects " + lin.in() + " features, gets " + s);
                    w.flops += 2.0 * lin.in() * lin.out();
                    yield new Shape(lin.out(), 0, 0);
                }
                case Activation a -> s;
                case Scale sc -> s;
            };
        }
        return s;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new BadInputException("architecture: " + message);
        }
    }
}
