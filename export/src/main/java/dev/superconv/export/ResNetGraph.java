package dev.superconv.export;

import static dev.superconv.export.GraphBuilder.floatAttr;
import static dev.superconv.export.GraphBuilder.intAttr;
import static dev.superconv.export.GraphBuilder.intsAttr;
import static dev.superconv.export.GraphBuilder.stringAttr;

import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.Layer;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.OutputKind;
import dev.superconv.core.model.Tta;
import dev.superconv.export.ExportOptions.Precision;
import dev.superconv.export.GraphBuilder.Dim;
import dev.superconv.export.onnx.TensorProto.DataType;
import java.util.List;

/**
 * A checkpoint's network ({@link ModelInfo#architecture()}: the Custom ResNet or the airbench net)
 * as an ONNX graph, weights taken from the checkpoint: input adaptation (layout, normalisation, TTA
 * batch, fp16 cast), the layers walked in order, and output adaptation (fp32 cast, softmax, TTA
 * average).
 */
final class ResNetGraph {
    static final String INPUT = "input";
    static final String BATCH = "N";

    private final Checkpoint checkpoint;
    private final ModelInfo info;
    private final ExportOptions options;
    private final boolean half;
    private final GraphBuilder g;
    private final Quantization quant;
    /** The net's BatchNorm eps (PyTorch's 1e-5; airbench's 1e-12). */
    private final double eps;
    /** The trained input size S: the graph takes S×S images. */
    private final int image;

    private ResNetGraph(Checkpoint checkpoint, ModelInfo info, ExportOptions options, Calibration calibration) {
        this.checkpoint = checkpoint;
        this.info = info;
        this.options = options;
        this.half = options.precision() == Precision.FP16;
        this.g = new GraphBuilder("superconv_" + info.architecture().name().replace('-', '_'));
        this.eps = info.model().batchNorm().eps();
        this.image = info.imageSize();
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
        x = layers(x, info.architecture().layers());                // (B, classes)
        adaptOutput(x);
        quant.declareOutputs();
        return g;
    }

    /** conv [→ max-pool 2] [→ BatchNorm] → activation: one block of the graph, BN folded where the options allow. */
    private record Block(String prefix, Layer.Conv conv, boolean pool, String batchNorm, Layer.Function activation) {
        boolean hasBatchNorm() {
            return !batchNorm.isEmpty();
        }
    }

    /** Walks a layer list of the architecture; runs of conv, pool, BN and activation become {@link Block}s. */
    private String layers(String x, List<Layer> layers) {
        int n = layers.size();
        for (int i = 0; i < n; i++) {
            switch (layers.get(i)) {
                case Layer.Conv c -> {
                    int j = i + 1;
                    boolean pool = j + 1 < n && layers.get(j) instanceof Layer.MaxPool mp && mp.size() == 2 && layers.get(j + 1) instanceof Layer.BatchNorm;
                    j += pool ? 1 : 0;
                    String bn = j < n && layers.get(j) instanceof Layer.BatchNorm b ? b.name() : "";
                    j += bn.isEmpty() ? 0 : 1;
                    if (!(j < n && layers.get(j) instanceof Layer.Activation a)) {
                        throw new IllegalStateException("conv " + c.name() + " is not followed by an activation");
                    }
                    String prefix = c.name().endsWith(".conv") ? c.name().substring(0, c.name().length() - ".conv".length()) : c.name();
                    x = convBlock(x, new Block(prefix, c, pool, bn, a.function()));
                    i = j;
                }
                case Layer.Residual r -> {
                    String body = layers(x, r.body());
                    String first = ((Layer.Conv) r.body().getFirst()).name();
                    x = quant.activation(g.node(first.substring(0, first.indexOf('.')) + ".add", "Add", List.of(x, body)));
                }
                case Layer.MaxPool p -> x = g.node("head.pool", "MaxPool", List.of(x), intsAttr("kernel_shape", p.size(), p.size()),
                        intsAttr("strides", p.size(), p.size())); // (B, c, 1, 1)
                case Layer.Flatten f -> {
                    x = g.node("head.flatten", "Flatten", List.of(x), intAttr("axis", 1)); // (B, c)
                    if (half) {
                        // the head is 0.001 % of the compute; in fp32 it adds no rounding to the logits
                        x = g.node("head.fp32", "Cast", List.of(x), intAttr("to", DataType.FLOAT.getNumber()));
                    }
                }
                case Layer.Linear lin -> {
                    double scale = i + 1 < n && layers.get(i + 1) instanceof Layer.Scale sc ? sc.factor() : 1;
                    i += scale != 1 || (i + 1 < n && layers.get(i + 1) instanceof Layer.Scale) ? 1 : 0;
                    // logitScale · (x · Wᵀ) = x · (logitScale · W)ᵀ: the scale lives in the weights, not in Gemm's
                    // alpha, which some ONNX runtimes ignore (their logits then come out unscaled)
                    Checkpoint.Tensor w = checkpoint.tensor(lin.name() + ".weight");
                    String fc = g.floats(lin.name() + ".weight", w.shape(), scaled(w.data(), scale), false);
                    x = g.node(lin.name(), "Gemm", List.of(x, fc), intAttr("transB", 1)); // (B, classes)
                }
                case Layer.BatchNorm b -> throw new IllegalStateException("BatchNorm " + b.name() + " without a conv before it");
                case Layer.Activation a -> throw new IllegalStateException("activation without a conv before it");
                case Layer.Scale sc -> throw new IllegalStateException("scale without a linear layer before it");
            }
        }
        return x;
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
            g.input(INPUT, DataType.UINT8, List.of(Dim.symbolic(BATCH), Dim.of(image), Dim.of(image), Dim.of(3)),
                    "uint8 RGB pixels, (N, " + image + ", " + image + ", 3); the graph normalises with the mean/std in the metadata");
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
            x = g.input(INPUT, DataType.FLOAT, List.of(Dim.symbolic(BATCH), Dim.of(3), Dim.of(image), Dim.of(image)),
                    "float32 (N, 3, " + image + ", " + image + "), RGB on the 0..1 scale normalised per channel: (x − mean) / std (see metadata)");
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

    /** The image×image window at ({@code offset}, {@code offset}) of a padded batch. */
    private String crop(String padded, long offset, String name) {
        return g.node(name, "Slice", List.of(padded, g.int64s(name + ".starts", offset, offset),
                g.int64s(name + ".ends", offset + image, offset + image), g.int64s(name + ".axes", 2, 3)));
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
                x = g.node("tta.views", "Reshape", List.of(x, g.int64s("tta.views.shape", tta.views(), -1, classes)));
                List<Tta.View> views = tta.viewList(); // the batch above stacks them in this order
                float[] w = new float[views.size()];
                for (int v = 0; v < w.length; v++) {
                    w[v] = (float) views.get(v).weight();
                }
                String weights = g.floats("tta.weights", new long[] {w.length, 1, 1}, w, false);
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

    /** The block's conv [→ max-pool 2] [→ BN] → activation, with BN folded where the options allow. */
    private String convBlock(String x, Block b) {
        if (quant.active()) {
            return quantizedBlock(x, b);
        }
        String p = b.prefix();
        Layer.Conv c = b.conv();
        long[] wDims = {c.out(), c.in(), c.kernel(), c.kernel()};
        long[] channelDims = {1, c.out(), 1, 1};
        float[] w = checkpoint.tensor(c.name() + ".weight").data();
        float[] convBias = c.bias() ? checkpoint.tensor(c.name() + ".bias").data() : new float[c.out()];
        String y;
        if (!b.hasBatchNorm()) {
            y = conv(b, x, g.floats(c.name() + ".weight", wDims, w, half), c.bias() ? g.floats(c.name() + ".bias", new long[] {c.out()}, convBias, half) : "");
            y = b.pool() ? maxPool2(p, y) : y;
            return activation(p, y, b.activation());
        }
        BatchNormFold bn = BatchNormFold.of(bnTensor(b, "weight"), bnTensor(b, "bias"), bnTensor(b, "running_mean"), bnTensor(b, "running_var"), eps);
        if (!options.foldBn()) {
            y = conv(b, x, g.floats(c.name() + ".weight", wDims, w, half), c.bias() ? g.floats(c.name() + ".bias", new long[] {c.out()}, convBias, half) : "");
            y = b.pool() ? maxPool2(p, y) : y;
            y = g.node(p + ".bn", "BatchNormalization", List.of(y,
                    g.floats(b.batchNorm() + ".weight", new long[] {c.out()}, bnTensor(b, "weight"), half),
                    g.floats(b.batchNorm() + ".bias", new long[] {c.out()}, bnTensor(b, "bias"), half),
                    g.floats(b.batchNorm() + ".running_mean", new long[] {c.out()}, bnTensor(b, "running_mean"), half),
                    g.floats(b.batchNorm() + ".running_var", new long[] {c.out()}, bnTensor(b, "running_var"), half)),
                    floatAttr("epsilon", (float) eps));
        } else if (!b.pool() || bn.commutesWithMaxPool()) {
            // BN(maxpool(conv(x) + c)) = maxpool(conv'(x)) with W' = scale·W, b' = scale·c + shift, when scale ≥ 0
            String weight = g.floats(c.name() + ".weight.folded", wDims, BatchNormFold.scaleOutputChannels(w, bn.scale()), half);
            String bias = g.floats(c.name() + ".bias.folded", new long[] {c.out()}, bn.shiftWithBias(convBias), half);
            y = conv(b, x, weight, bias);
            y = b.pool() ? maxPool2(p, y) : y;
        } else {
            // some scale < 0: max(s·z) = sign(s)·max(|s|·z) per channel, so |s| goes into the conv
            // and sign and shift are applied after the pool
            String weight = g.floats(c.name() + ".weight.folded", wDims, BatchNormFold.scaleOutputChannels(w, bn.magnitude()), half);
            String magnitudeBias = c.bias() ? g.floats(c.name() + ".bias.folded", new long[] {c.out()}, bn.magnitudeTimes(convBias), half) : "";
            y = maxPool2(p, conv(b, x, weight, magnitudeBias));
            y = g.node(p + ".bn.sign", "Mul", List.of(y, g.floats(p + ".bn.sign_factor", channelDims, bn.sign(), half)));
            y = g.node(p + ".bn.shift", "Add", List.of(y, g.floats(p + ".bn.shift_term", channelDims, bn.shift(), half)));
        }
        return activation(p, y, b.activation());
    }

    /** ReLU as the op; GELU (exact, erf) and CELU (α = 0.3) decomposed so that opset 17 and fp16 graphs carry them. */
    private String activation(String p, String y, Layer.Function f) {
        return switch (f) {
            case RELU -> g.node(p + ".relu", "Relu", List.of(y));
            case GELU -> {
                // x·½·(1 + erf(x/√2)); ONNX Runtime fuses this pattern into its Gelu kernel
                String scaledDown = g.node(p + ".gelu.div", "Div", List.of(y, constant(p + ".gelu.sqrt2", (float) Math.sqrt(2))));
                String erf = g.node(p + ".gelu.erf", "Erf", List.of(scaledDown));
                String onePlus = g.node(p + ".gelu.add", "Add", List.of(erf, constant(p + ".gelu.one", 1f)));
                String times = g.node(p + ".gelu.mul", "Mul", List.of(y, onePlus));
                yield g.node(p + ".gelu", "Mul", List.of(times, constant(p + ".gelu.half", 0.5f)));
            }
            case CELU -> {
                // max(0, x) + min(0, α·(exp(x/α) − 1))
                float alpha = (float) Layer.Function.CELU_ALPHA;
                String pos = g.node(p + ".celu.relu", "Relu", List.of(y));
                String exp = g.node(p + ".celu.exp", "Exp", List.of(g.node(p + ".celu.div", "Div", List.of(y, constant(p + ".celu.alpha", alpha)))));
                String expm1 = g.node(p + ".celu.expm1", "Sub", List.of(exp, constant(p + ".celu.one", 1f)));
                String scaled = g.node(p + ".celu.mul", "Mul", List.of(expm1, constant(p + ".celu.alpha_out", alpha)));
                String neg = g.node(p + ".celu.min", "Min", List.of(scaled, constant(p + ".celu.zero", 0f)));
                yield g.node(p + ".celu", "Add", List.of(pos, neg));
            }
        };
    }

    private String constant(String name, float value) {
        return g.floats(name, new long[] {}, new float[] {value}, half);
    }

    /**
     * The int8 layout of a block, BN always folded: conv → ReLU → [max-pool]. ReLU goes before the
     * pool (the two commute) so ONNX Runtime fuses conv and ReLU into one QLinearConv and pools
     * uint8 values. When some BN scale s is negative the pool must see the signed values:
     * conv(|s|·W, sign·t) → max-pool → ·sign → ReLU, since sign·max(|s|z + sign·t) = s·max(z) + t
     * per channel (sign² = 1).
     */
    private String quantizedBlock(String x, Block b) {
        if (b.activation() != Layer.Function.RELU || !b.hasBatchNorm() || b.conv().bias()) {
            throw new dev.superconv.core.BadInputException("--precision int8 exports ReLU nets with conv → BN blocks only (the Custom ResNet); this net uses "
                    + b.activation().name().toLowerCase(java.util.Locale.ROOT) + (b.hasBatchNorm() ? "" : " without BatchNorm"));
        }
        String p = b.prefix();
        Layer.Conv c = b.conv();
        long[] wDims = {c.out(), c.in(), c.kernel(), c.kernel()};
        float[] w = checkpoint.tensor(c.name() + ".weight").data();
        BatchNormFold bn = BatchNormFold.of(bnTensor(b, "weight"), bnTensor(b, "bias"), bnTensor(b, "running_mean"), bnTensor(b, "running_var"), eps);
        if (!b.pool() || bn.commutesWithMaxPool()) {
            String y = quant.conv(p + ".conv", x, wDims, BatchNormFold.scaleOutputChannels(w, bn.scale()), bn.shift());
            y = quant.activation(g.node(p + ".relu", "Relu", List.of(y)));
            return b.pool() ? quant.sameAs(maxPool2(p, y), y) : y;
        }
        float[] sign = bn.sign();
        float[] signedShift = bn.shift().clone();
        for (int k = 0; k < sign.length; k++) {
            signedShift[k] *= sign[k];
        }
        String y = quant.conv(p + ".conv", x, wDims, BatchNormFold.scaleOutputChannels(w, bn.magnitude()), signedShift);
        y = quant.activation(y);
        y = quant.sameAs(maxPool2(p, y), y);
        y = g.node(p + ".bn.sign", "Mul", List.of(y, g.floats(p + ".bn.sign_factor", new long[] {1, c.out(), 1, 1}, sign, false)));
        return quant.activation(g.node(p + ".relu", "Relu", List.of(y)));
    }

    private String conv(Block b, String x, String weight, String bias) {
        List<String> inputs = bias.isEmpty() ? List.of(x, weight) : List.of(x, weight, bias);
        long k = b.conv().kernel(), pad = b.conv().padding();
        return g.node(b.prefix() + ".conv", "Conv", inputs,
                intsAttr("kernel_shape", k, k), intsAttr("pads", pad, pad, pad, pad), intsAttr("strides", 1, 1));
    }

    private String maxPool2(String block, String x) {
        return g.node(block + ".pool", "MaxPool", List.of(x), intsAttr("kernel_shape", 2, 2), intsAttr("strides", 2, 2));
    }

    private float[] bnTensor(Block b, String which) {
        return checkpoint.tensor(b.batchNorm() + "." + which).data();
    }
}
