package dev.superconv.export;

import static dev.superconv.export.GraphBuilder.intAttr;

import dev.superconv.core.BadInputException;
import dev.superconv.core.model.ValueRange;
import dev.superconv.export.onnx.TensorProto.DataType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The activation points of an int8 (QDQ) graph, in one of three roles. {@link Mode#FLOAT}: no
 * quantisation, every call is the identity. {@link Mode#CALIBRATE}: the fp32 graph with the int8
 * graph's structure, each activation point also a graph output, so a runtime can measure its
 * {@link ValueRange} over calibration images. {@link Mode#QUANTIZE}: each point gets a
 * QuantizeLinear → DequantizeLinear pair (uint8, scale and zero point from its range) and each conv
 * reads per-output-channel int8 weights and an int32 bias through DequantizeLinear — the QDQ form
 * ONNX Runtime rewrites into QLinearConv / QLinearAdd and uint8 MaxPool.
 */
final class Quantization {
    enum Mode { FLOAT, CALIBRATE, QUANTIZE }

    /** uint8 quantisation of one tensor: {@code real = scale · (q − zeroPoint)}. */
    record UInt8Params(float scale, int zeroPoint) {
        /**
         * Covers {@code range} widened to hold 0 (so 0 is exact and a ReLU output gets zero point 0,
         * which lets ONNX Runtime drop the ReLU into the quantisation's clamp).
         */
        static UInt8Params of(ValueRange range) {
            double lo = Math.min(range.min(), 0f);
            double hi = Math.max(range.max(), 0f);
            if (!(hi > lo) || !Double.isFinite(hi - lo)) {
                return new UInt8Params(1f, 0);
            }
            float scale = (float) ((hi - lo) / 255.0);
            int zeroPoint = (int) Math.max(0, Math.min(255, Math.round(-lo / scale)));
            return new UInt8Params(scale, zeroPoint);
        }
    }

    /** Symmetric int8 weights, one scale per output channel: {@code w ≈ scales[o] · q}, q in −127..127. */
    record Int8Weights(byte[] values, float[] scales) {
        static Int8Weights of(float[] weight, int outChannels) {
            int perChannel = weight.length / outChannels;
            byte[] q = new byte[weight.length];
            float[] scales = new float[outChannels];
            for (int o = 0; o < outChannels; o++) {
                float maxAbs = 0;
                for (int k = o * perChannel; k < (o + 1) * perChannel; k++) {
                    maxAbs = Math.max(maxAbs, Math.abs(weight[k]));
                }
                float s = maxAbs > 0 ? maxAbs / 127f : 1f;
                scales[o] = s;
                for (int k = o * perChannel; k < (o + 1) * perChannel; k++) {
                    q[k] = (byte) Math.max(-127, Math.min(127, Math.round(weight[k] / s)));
                }
            }
            return new Int8Weights(q, scales);
        }
    }

    /** int32 bias at scale {@code inputScale · weightScales[o]}, as the integer conv accumulates it. */
    static int[] quantizeBias(float[] bias, float inputScale, float[] weightScales) {
        int[] q = new int[bias.length];
        for (int o = 0; o < bias.length; o++) {
            double v = Math.rint(bias[o] / ((double) inputScale * weightScales[o]));
            q[o] = (int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE, v));
        }
        return q;
    }

    private final GraphBuilder g;
    private final Mode mode;
    private final Map<String, ValueRange> ranges;
    private final Map<String, UInt8Params> dequantized = new HashMap<>();
    private final List<String> points = new ArrayList<>();

    private Quantization(GraphBuilder g, Mode mode, Map<String, ValueRange> ranges) {
        this.g = g;
        this.mode = mode;
        this.ranges = Map.copyOf(ranges);
    }

    static Quantization none(GraphBuilder g) {
        return new Quantization(g, Mode.FLOAT, Map.of());
    }

    static Quantization calibrating(GraphBuilder g) {
        return new Quantization(g, Mode.CALIBRATE, Map.of());
    }

    static Quantization quantizing(GraphBuilder g, Map<String, ValueRange> ranges) {
        return new Quantization(g, Mode.QUANTIZE, ranges);
    }

    /** True unless {@link Mode#FLOAT}: the graph takes the int8 layout. */
    boolean active() {
        return mode != Mode.FLOAT;
    }

    /** The activation points seen so far, in graph order (their fp32 value names). */
    List<String> points() {
        return List.copyOf(points);
    }

    /** Calibration graph: every activation point becomes a graph output, after the model's own output. */
    void declareOutputs() {
        if (mode == Mode.CALIBRATE) {
            points.forEach(p -> g.output(p, DataType.FLOAT, "activation point for int8 calibration"));
        }
    }

    /** Marks {@code value} as an activation point; returns what its consumers read. */
    String activation(String value) {
        switch (mode) {
            case FLOAT -> {
                return value;
            }
            case CALIBRATE -> {
                points.add(value);
                return value;
            }
            default -> {
                points.add(value);
                ValueRange r = ranges.get(value);
                if (r == null || r.isEmpty()) {
                    throw new BadInputException("int8 export: the calibration has no range for activation '" + value + "'");
                }
                return quantizeDequantize(value, UInt8Params.of(r));
            }
        }
    }

    /**
     * Q/DQ of {@code value} with the parameters of the already quantised {@code like}: around a
     * MaxPool this makes ONNX Runtime pool the uint8 values directly.
     */
    String sameAs(String value, String like) {
        if (mode != Mode.QUANTIZE) {
            return value;
        }
        return quantizeDequantize(value, dequantized.get(like));
    }

    /** A 3×3 conv, padding 1, with bias; int8 weights and int32 bias when quantising. */
    String conv(String name, String x, long[] weightDims, float[] weight, float[] bias) {
        List<String> inputs;
        int out = (int) weightDims[0];
        if (mode == Mode.QUANTIZE) {
            UInt8Params in = dequantized.get(x);
            if (in == null) {
                throw new IllegalStateException("conv " + name + " reads '" + x + "', which is not a quantised activation");
            }
            Int8Weights w = Int8Weights.of(weight, out);
            long[] perChannel = {out};
            String wq = g.initializer(new Initializer.Bytes(name + ".weight.int8", weightDims, w.values(), false));
            String ws = g.floats(name + ".weight.scale", perChannel, w.scales(), false);
            String wz = g.initializer(new Initializer.Bytes(name + ".weight.zero_point", perChannel, new byte[out], false));
            String wdq = g.node(name + ".weight", "DequantizeLinear", List.of(wq, ws, wz), intAttr("axis", 0));
            float[] biasScales = new float[out];
            for (int o = 0; o < out; o++) {
                biasScales[o] = in.scale() * w.scales()[o];
            }
            String bq = g.initializer(new Initializer.Int32s(name + ".bias.int32", perChannel, quantizeBias(bias, in.scale(), w.scales())));
            String bs = g.floats(name + ".bias.scale", perChannel, biasScales, false);
            String bz = g.initializer(new Initializer.Int32s(name + ".bias.zero_point", perChannel, new int[out]));
            String bdq = g.node(name + ".bias", "DequantizeLinear", List.of(bq, bs, bz), intAttr("axis", 0));
            inputs = List.of(x, wdq, bdq);
        } else {
            inputs = List.of(x, g.floats(name + ".weight", weightDims, weight, false),
                    g.floats(name + ".bias", new long[] {out}, bias, false));
        }
        return g.node(name, "Conv", inputs, GraphBuilder.intsAttr("kernel_shape", 3, 3),
                GraphBuilder.intsAttr("pads", 1, 1, 1, 1), GraphBuilder.intsAttr("strides", 1, 1));
    }

    private String quantizeDequantize(String value, UInt8Params p) {
        String scale = g.floats(value + ".scale", new long[0], new float[] {p.scale()}, false);
        String zero = g.initializer(new Initializer.Bytes(value + ".zero_point", new long[0], new byte[] {(byte) p.zeroPoint()}, true));
        String q = g.node(value + ".q", "QuantizeLinear", List.of(value, scale, zero));
        String dq = g.node(value + ".dq", "DequantizeLinear", List.of(q, scale, zero));
        dequantized.put(dq, p);
        return dq;
    }
}
