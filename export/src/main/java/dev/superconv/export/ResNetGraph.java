package dev.superconv.export;

import static dev.superconv.export.GraphBuilder.floatAttr;
import static dev.superconv.export.GraphBuilder.intAttr;
import static dev.superconv.export.GraphBuilder.intsAttr;
import static dev.superconv.export.GraphBuilder.stringAttr;

import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.model.ModelSpec.ConvBlock;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.OutputKind;
import dev.superconv.core.model.Tta;
import dev.superconv.export.ExportOptions.Precision;
import dev.superconv.export.GraphBuilder.Dim;
import dev.superconv.export.onnx.TensorProto.DataType;
import java.util.List;

/**
 * The Custom ResNet of {@link ModelSpec} as an ONNX graph, weights taken from a checkpoint:
 * input adaptation (layout, normalisation, TTA batch, fp16 cast), the eight conv blocks, the
 * head, and output adaptation (fp32 cast, softmax, TTA average).
 */
final class ResNetGraph {
    static final String INPUT = "input";
    static final String BATCH = "N";
    private static final int IMAGE = 32;

    private final Checkpoint checkpoint;
    private final ModelInfo info;
    private final ExportOptions options;
    private final boolean half;
    private final GraphBuilder g = new GraphBuilder("superconv_resnet9");
    private final Quantization quant;

    private ResNetGraph(Checkpoint checkpoint, ModelInfo info, ExportOptions options, Calibration calibration) {
        this.checkpoint = checkpoint;
        this.info = info;
        this.options = options;
        this.half = options.precision() == Precision.FP16;
        this.quant = switch (calibration.stage()) {
            case NONE -> Quantization.none(g);
            case MEASURE -> Quantization.calibrating(g);
            case MEASURED -> Quantization.quantizing(g, calibration.ranges());
        };
    }

    /** Builds the graph; the checkpoint must already have passed {@link CheckpointWeights#check}. */
    static GraphBuilder build(Checkpoint checkpoint, ModelInfo info, ExportOptions options, Calibration calibration) {
        return new ResNetGraph(checkpoint, info, options, calibration).build();
    }

    /** The activation points of the int8 layout, in graph order (the names a calibration measures). */
    static List<String> activationPoints(Checkpoint checkpoint, ModelInfo info, ExportOptions options) {
        ResNetGraph graph = new ResNetGraph(checkpoint, info, options, Calibration.measure());
        graph.build();
        return graph.quant.points();
    }

    static String outputName(ExportOptions options) {
        return options.output() == OutputKind.PROBS ? "probs" : "logits";
    }

    private GraphBuilder build() {
        String x = adaptInput();
        if (quant.active()) {
            // an Identity gives the point its own name even when it is the graph input itself
            x = quant.activation(g.node("input.quantized", "Identity", List.of(x)));
        }
        List<ConvBlock> blocks = info.spec().convBlocks();
        x = convBlock(x, blocks.get(0), false);                      // (B, c1, 32, 32)
        x = convBlock(x, blocks.get(1), true);                       // (B, c2, 16, 16)
        x = residual(x, blocks.get(2), blocks.get(3));
        x = convBlock(x, blocks.get(4), true);                       // (B, c3, 8, 8)
        x = convBlock(x, blocks.get(5), true);                       // (B, c4, 4, 4)
        x = residual(x, blocks.get(6), blocks.get(7));
        x = g.node("head.pool", "MaxPool", List.of(x), intsAttr("kernel_shape", 4, 4), intsAttr("strides", 4, 4)); // (B, c4, 1, 1)
        x = g.node("head.flatten", "Flatten", List.of(x), intAttr("axis", 1)); // (B, c4)
        if (half) {
            // the head is 0.001 % of the compute; in fp32 it adds no rounding to the logits
            x = g.node("head.fp32", "Cast", List.of(x), intAttr("to", DataType.FLOAT.getNumber()));
        }
        // logitScale · (x · Wᵀ) = x · (logitScale · W)ᵀ: the scale lives in the weights, not in Gemm's
        // alpha, which some ONNX runtimes ignore (their logits then come out unscaled)
        Checkpoint.Tensor fcWeight = checkpoint.tensor("fc.weight");
        String fc = g.floats("fc.weight", fcWeight.shape(), scaled(fcWeight.data(), info.spec().logitScale()), false);
        x = g.node("fc", "Gemm", List.of(x, fc), intAttr("transB", 1)); // (B, classes)
        adaptOutput(x);
        quant.declareOutputs();
        return g;
    }

    /** {@code scale · w}, each product rounded once to float (exact when the scale is a power of two, as 0.125 is). */
    static float[] scaled(float[] w, double scale) {
        float[] out = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            out[i] = (float) (scale * w[i]);
        }
        return out;
    }

    /** Graph input → normalised NCHW batch in the compute precision; B = N, or 2N with TTA. */
    private String adaptInput() {
        String x;
        if (options.input() == InputFormat.UINT8_NHWC) {
            g.input(INPUT, DataType.UINT8, List.of(Dim.symbolic(BATCH), Dim.of(IMAGE), Dim.of(IMAGE), Dim.of(3)),
                    "uint8 RGB pixels, (N, 32, 32, 3); the graph normalises with the mean/std in the metadata");
            x = g.node("input.nchw", "Transpose", List.of(INPUT), intsAttr("perm", 0, 3, 1, 2)); // (N, 3, 32, 32) uint8
            x = g.node("input.float", "Cast", List.of(x), intAttr("to", DataType.FLOAT.getNumber()));
            // (p/255 − mean)/std = (p − 255·mean) · 1/(255·std), per channel, in fp32
            float[] offset = new float[3];
            float[] factor = new float[3];
            for (int c = 0; c < 3; c++) {
                offset[c] = (float) (255.0 * info.mean()[c]);
                factor[c] = (float) (1.0 / (255.0 * info.std()[c]));
            }
            long[] perChannel = {1, 3, 1, 1};
            x = g.node("input.centered", "Sub", List.of(x, g.floats("norm.offset", perChannel, offset, false)));
            x = g.node("input.normalized", "Mul", List.of(x, g.floats("norm.factor", perChannel, factor, false)));
        } else {
            x = g.input(INPUT, DataType.FLOAT, List.of(Dim.symbolic(BATCH), Dim.of(3), Dim.of(IMAGE), Dim.of(IMAGE)),
                    "float32 (N, 3, 32, 32), RGB on the 0..1 scale normalised per channel: (x − mean) / std (see metadata)");
        }
        switch (options.tta()) {
            case NONE -> { }
            case FLIP -> x = g.node("tta.batch", "Concat", List.of(x, mirror(x, "tta.flip")), intAttr("axis", 0)); // (2N, 3, 32, 32): originals, then mirrors
            case FLIP_TRANSLATE -> {
                // airbench's 1-pixel shifts: reflect-pad by 1, crop the top-left and the bottom-right 32×32
                String padded = g.node("tta.pad", "Pad", List.of(x, g.int64s("tta.pad.pads", 0, 0, 1, 1, 0, 0, 1, 1)), stringAttr("mode", "reflect"));
                String upLeft = crop(padded, 0, "tta.up_left");
                String downRight = crop(padded, 2, "tta.down_right");
                x = g.node("tta.batch", "Concat", List.of(x, mirror(x, "tta.flip"), upLeft, mirror(upLeft, "tta.up_left.flip"),
                        downRight, mirror(downRight, "tta.down_right.flip")), intAttr("axis", 0)); // (6N, 3, 32, 32), view-major
            }
        }
        if (half) {
            x = g.node("input.fp16", "Cast", List.of(x), intAttr("to", DataType.FLOAT16.getNumber()));
        }
        return x;
    }

    /** Mirror along W: Slice from the last column backwards with step −1. */
    private String mirror(String x, String name) {
        return g.node(name, "Slice", List.of(x, g.int64s(name + ".starts", -1), g.int64s(name + ".ends", Long.MIN_VALUE),
                g.int64s(name + ".axes", 3), g.int64s(name + ".steps", -1)));
    }

    /** The IMAGE×IMAGE window at ({@code offset}, {@code offset}) of a padded batch. */
    private String crop(String padded, long offset, String name) {
        return g.node(name, "Slice", List.of(padded, g.int64s(name + ".starts", offset, offset),
                g.int64s(name + ".ends", offset + IMAGE, offset + IMAGE), g.int64s(name + ".axes", 2, 3)));
    }

    private void adaptOutput(String logits) {
        String x = logits;
        String name = outputName(options);
        boolean probs = options.output() == OutputKind.PROBS;
        Tta tta = options.tta();
        int classes = info.numClasses();
        if (probs) {
            x = g.node(tta != Tta.NONE ? "probs.each" : name, "Softmax", List.of(x), intAttr("axis", 1));
        }
        switch (tta) {
            case NONE -> {
                if (!probs) {
                    x = g.node(name, "Identity", List.of(x));
                }
            }
            case FLIP -> {
                // (2N, C) → (2, N, C) → mean over the pair → (N, C)
                x = g.node("tta.pairs", "Reshape", List.of(x, g.int64s("tta.pairs.shape", 2, -1, classes)));
                x = g.node(name, "ReduceMean", List.of(x), intsAttr("axes", 0), intAttr("keepdims", 0));
            }
            case FLIP_TRANSLATE -> {
                // (6N, C) → (6, N, C); ¼·(x + mirror x) + ⅛·(each shifted view and its mirror), summed over the views
                x = g.node("tta.views", "Reshape", List.of(x, g.int64s("tta.views.shape", 6, -1, classes)));
                String weights = g.floats("tta.weights", new long[] {6, 1, 1}, new float[] {0.25f, 0.25f, 0.125f, 0.125f, 0.125f, 0.125f}, false);
                x = g.node("tta.weighted", "Mul", List.of(x, weights));
                x = g.node(name, "ReduceSum", List.of(x, g.int64s("tta.axes", 0)), intAttr("keepdims", 0));
            }
        }
        String how = switch (tta) {
            case NONE -> "";
            case FLIP -> " averaged over the image and its mirror";
            case FLIP_TRANSLATE -> " weighted over the image, its 1-pixel shifts and their mirrors (airbench TTA level 2)";
        };
        g.output(x, DataType.FLOAT, List.of(Dim.symbolic(BATCH), Dim.of(classes)),
                (probs ? "softmax probabilities" : "logits") + how + ", (N, classes), classes in metadata order");
    }

    /** x + res2(res1(x)). */
    private String residual(String x, ConvBlock res1, ConvBlock res2) {
        String r = convBlock(x, res1, false);
        r = convBlock(r, res2, false);
        return quant.activation(g.node(res2.name().substring(0, res2.name().indexOf('.')) + ".add", "Add", List.of(x, r)));
    }

    /** conv 3×3 [→ maxpool 2] → BN → ReLU, with BN folded where the options allow. */
    private String convBlock(String x, ConvBlock b, boolean pool) {
        if (quant.active()) {
            return quantizedBlock(x, b, pool);
        }
        String p = b.name();
        float[] w = checkpoint.tensor(p + ".conv.weight").data();
        long[] wDims = {b.out(), b.in(), 3, 3};
        long[] channelDims = {1, b.out(), 1, 1};
        BatchNormFold bn = BatchNormFold.of(bnTensor(p, "weight"), bnTensor(p, "bias"),
                bnTensor(p, "running_mean"), bnTensor(p, "running_var"));
        String y;
        if (!options.foldBn()) {
            y = conv(p, x, g.floats(p + ".conv.weight", wDims, w, half), "");
            y = pool ? maxPool2(p, y) : y;
            y = g.node(p + ".bn", "BatchNormalization", List.of(y,
                    g.floats(p + ".bn.weight", new long[] {b.out()}, bnTensor(p, "weight"), half),
                    g.floats(p + ".bn.bias", new long[] {b.out()}, bnTensor(p, "bias"), half),
                    g.floats(p + ".bn.running_mean", new long[] {b.out()}, bnTensor(p, "running_mean"), half),
                    g.floats(p + ".bn.running_var", new long[] {b.out()}, bnTensor(p, "running_var"), half)),
                    floatAttr("epsilon", (float) ModelSpec.BN_EPS));
        } else if (!pool || bn.commutesWithMaxPool()) {
            // BN(maxpool(conv(x))) = maxpool(conv'(x)) with W' = scale·W, b' = shift, when scale ≥ 0
            String weight = g.floats(p + ".conv.weight.folded", wDims, BatchNormFold.scaleOutputChannels(w, bn.scale()), half);
            String bias = g.floats(p + ".conv.bias.folded", new long[] {b.out()}, bn.shift(), half);
            y = conv(p, x, weight, bias);
            y = pool ? maxPool2(p, y) : y;
        } else {
            // some scale < 0: max(s·z) = sign(s)·max(|s|·z) per channel, so |s| goes into the conv
            // and sign and shift are applied after the pool
            String weight = g.floats(p + ".conv.weight.folded", wDims, BatchNormFold.scaleOutputChannels(w, bn.magnitude()), half);
            y = maxPool2(p, conv(p, x, weight, ""));
            y = g.node(p + ".bn.sign", "Mul", List.of(y, g.floats(p + ".bn.sign_factor", channelDims, bn.sign(), half)));
            y = g.node(p + ".bn.shift", "Add", List.of(y, g.floats(p + ".bn.shift_term", channelDims, bn.shift(), half)));
        }
        return g.node(p + ".relu", "Relu", List.of(y));
    }

    /**
     * The int8 layout of a block, BN always folded: conv → ReLU → [max-pool]. ReLU goes before the
     * pool (the two commute) so ONNX Runtime fuses conv and ReLU into one QLinearConv and pools
     * uint8 values. When some BN scale s is negative the pool must see the signed values:
     * conv(|s|·W, sign·t) → max-pool → ·sign → ReLU, since sign·max(|s|z + sign·t) = s·max(z) + t
     * per channel (sign² = 1).
     */
    private String quantizedBlock(String x, ConvBlock b, boolean pool) {
        String p = b.name();
        long[] wDims = {b.out(), b.in(), 3, 3};
        float[] w = checkpoint.tensor(p + ".conv.weight").data();
        BatchNormFold bn = BatchNormFold.of(bnTensor(p, "weight"), bnTensor(p, "bias"),
                bnTensor(p, "running_mean"), bnTensor(p, "running_var"));
        if (!pool || bn.commutesWithMaxPool()) {
            String y = quant.conv(p + ".conv", x, wDims, BatchNormFold.scaleOutputChannels(w, bn.scale()), bn.shift());
            y = quant.activation(g.node(p + ".relu", "Relu", List.of(y)));
            return pool ? quant.sameAs(maxPool2(p, y), y) : y;
        }
        float[] sign = bn.sign();
        float[] signedShift = bn.shift().clone();
        for (int c = 0; c < sign.length; c++) {
            signedShift[c] *= sign[c];
        }
        String y = quant.conv(p + ".conv", x, wDims, BatchNormFold.scaleOutputChannels(w, bn.magnitude()), signedShift);
        y = quant.activation(y);
        y = quant.sameAs(maxPool2(p, y), y);
        y = g.node(p + ".bn.sign", "Mul", List.of(y, g.floats(p + ".bn.sign_factor", new long[] {1, b.out(), 1, 1}, sign, false)));
        return quant.activation(g.node(p + ".relu", "Relu", List.of(y)));
    }

    private String conv(String block, String x, String weight, String bias) {
        List<String> inputs = bias.isEmpty() ? List.of(x, weight) : List.of(x, weight, bias);
        return g.node(block + ".conv", "Conv", inputs,
                intsAttr("kernel_shape", 3, 3), intsAttr("pads", 1, 1, 1, 1), intsAttr("strides", 1, 1));
    }

    private String maxPool2(String block, String x) {
        return g.node(block + ".pool", "MaxPool", List.of(x), intsAttr("kernel_shape", 2, 2), intsAttr("strides", 2, 2));
    }

    private float[] bnTensor(String block, String which) {
        return checkpoint.tensor(block + ".bn." + which).data();
    }
}
