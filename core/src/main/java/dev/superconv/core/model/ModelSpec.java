package dev.superconv.core.model;

import dev.superconv.core.BadInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * The Custom ResNet (ResNet-9) as data: channel counts at a width multiplier and the ordered list
 * of every tensor in its state (PyTorch state_dict names and shapes). The libtorch model
 * ({@code bindings}) and the ONNX graph ({@code export}) are both built from this one description.
 *
 * <pre>
 * prep    conv 3→c1, BN, ReLU                                  (N, c1, 32, 32)
 * layer1  conv c1→c2, maxpool 2, BN, ReLU; x + res(x)          (N, c2, 16, 16)
 * layer2  conv c2→c3, maxpool 2, BN, ReLU                      (N, c3,  8,  8)
 * layer3  conv c3→c4, maxpool 2, BN, ReLU; x + res(x)          (N, c4,  4,  4)
 * pool    maxpool 4, flatten                                   (N, c4)
 * fc      linear c4→classes, no bias, × logitScale             (N, classes)
 * res(x) = ReLU(BN(conv(ReLU(BN(conv(x))))))  at the same width
 * </pre>
 * c1..c4 = 64, 128, 256, 512 × width. All convs are 3×3, padding 1, no bias.
 *
 * @param width      channel multiplier (1 = 6,573,120 parameters)
 * @param logitScale factor on the logits (0.125 as in the DAWNBench net; 1.0 = the seed)
 * @param numClasses output classes
 */
public record ModelSpec(double width, double logitScale, int numClasses) {
    public static final double BN_EPS = 1e-5;
    public static final double BN_MOMENTUM = 0.1;

    public ModelSpec {
        if (!(width > 0 && width <= 8)) {
            throw new BadInputException("--width must be in (0, 8], got " + width);
        }
        if (!(logitScale > 0 && Double.isFinite(logitScale))) {
            throw new BadInputException("logit scale must be positive, got " + logitScale);
        }
        if (numClasses < 2) {
            throw new BadInputException("need at least 2 classes, got " + numClasses);
        }
    }

    public static ModelSpec cifar10(double width) {
        return new ModelSpec(width, 0.125, 10);
    }

    /** Channels of stage 0..3 (prep, layer1, layer2, layer3). */
    public int channels(int stage) {
        return Math.max(1, (int) Math.round((64 << stage) * width));
    }

    /** One conv + BN block of the network, in forward order. */
    public record ConvBlock(String name, int in, int out) {}

    /** Conv blocks in forward order: prep, layer1, layer1.res1, layer1.res2, layer2, layer3, layer3.res1, layer3.res2. */
    public List<ConvBlock> convBlocks() {
        int c0 = channels(0), c1 = channels(1), c2 = channels(2), c3 = channels(3);
        return List.of(
                new ConvBlock("prep", 3, c0),
                new ConvBlock("layer1", c0, c1),
                new ConvBlock("layer1.res1", c1, c1),
                new ConvBlock("layer1.res2", c1, c1),
                new ConvBlock("layer2", c1, c2),
                new ConvBlock("layer3", c2, c3),
                new ConvBlock("layer3.res1", c3, c3),
                new ConvBlock("layer3.res2", c3, c3));
    }

    /** What a state tensor is: a trained parameter or a BN running statistic (buffer). */
    public enum Kind { PARAMETER, BUFFER }

    public record TensorSpec(String name, long[] shape, Kind kind) {
        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /**
     * Every state tensor in a fixed order: per block {@code NAME.conv.weight (out,in,3,3)},
     * {@code NAME.bn.weight}, {@code NAME.bn.bias}, {@code NAME.bn.running_mean},
     * {@code NAME.bn.running_var} (all (out)); then {@code fc.weight (classes, c3)}.
     */
    public List<TensorSpec> stateTensors() {
        List<TensorSpec> out = new ArrayList<>();
        for (ConvBlock b : convBlocks()) {
            out.add(new TensorSpec(b.name() + ".conv.weight", new long[] {b.out(), b.in(), 3, 3}, Kind.PARAMETER));
            out.add(new TensorSpec(b.name() + ".bn.weight", new long[] {b.out()}, Kind.PARAMETER));
            out.add(new TensorSpec(b.name() + ".bn.bias", new long[] {b.out()}, Kind.PARAMETER));
            out.add(new TensorSpec(b.name() + ".bn.running_mean", new long[] {b.out()}, Kind.BUFFER));
            out.add(new TensorSpec(b.name() + ".bn.running_var", new long[] {b.out()}, Kind.BUFFER));
        }
        out.add(new TensorSpec("fc.weight", new long[] {numClasses, channels(3)}, Kind.PARAMETER));
        return out;
    }

    /** Trainable parameters (6,573,120 at width 1, 10 classes). */
    public long parameterCount() {
        return stateTensors().stream().filter(t -> t.kind() == Kind.PARAMETER).mapToLong(TensorSpec::numel).sum();
    }

    /** Forward multiply-adds ×2 per 32×32 image (0.759 GFLOP at width 1). */
    public double forwardFlopsPerImage() {
        double flops = 0;
        int[] spatial = {32, 32, 16, 16, 16, 8, 4, 4};
        List<ConvBlock> blocks = convBlocks();
        for (int i = 0; i < blocks.size(); i++) {
            // layer1/2/3 convs run before their max-pool, at the input resolution
            int s = spatial[i];
            flops += 2.0 * blocks.get(i).in() * blocks.get(i).out() * 9 * s * s;
        }
        return flops + 2.0 * channels(3) * numClasses;
    }
}
