package dev.superconv.export;

import dev.superconv.export.onnx.AttributeProto;
import dev.superconv.export.onnx.NodeProto;
import dev.superconv.export.onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Shape propagation through the operators superconv emits, checking on the way that weights
 * agree with attributes (Conv weight dims vs kernel_shape, pads/strides lengths, bias length) and
 * with the tensors they meet (Conv input channels, BatchNormalization parameter lengths, Gemm
 * inner dimension, broadcasting, Concat). Dims are −1 where unknown (the symbolic batch); a value
 * whose shape cannot be derived is absent from the map, and inside this class a null shape means
 * exactly that: checks that need it are skipped.
 */
final class StaticShapes {
    private final List<String> problems;
    private final Map<String, long[]> shapes = new HashMap<>();
    private final Map<String, TensorProto> constants = new HashMap<>();

    StaticShapes(List<String> problems) {
        this.problems = problems;
    }

    void declare(String value, long[] dims) {
        shapes.put(value, dims);
    }

    void constant(TensorProto t) {
        constants.put(t.getName(), t);
        shapes.put(t.getName(), t.getDimsList().stream().mapToLong(Long::longValue).toArray());
    }

    void compareDeclared(String value, long[] declared) {
        long[] have = shapes.get(value);
        if (have != null && !compatible(have, declared)) {
            problems.add("graph output '" + value + "' is declared " + Arrays.toString(declared) + " but computes " + Arrays.toString(have));
        }
    }

    void apply(NodeProto n, String where) {
        long[] x = n.getInputCount() > 0 ? shapes.get(n.getInput(0)) : null;
        long[] out = switch (n.getOpType()) {
            case "Conv" -> conv(n, x, where);
            case "MaxPool", "AveragePool" -> pool(n, x, where);
            case "BatchNormalization" -> batchNorm(n, x, where);
            case "Relu", "Cast", "Identity", "QuantizeLinear", "DequantizeLinear", "Softmax", "Sigmoid", "Tanh", "Neg", "Abs" -> x;
            case "Add", "Sub", "Mul", "Div" -> broadcast(n, where);
            case "Transpose" -> transpose(n, x, where);
            case "Concat" -> concat(n, where);
            case "Slice" -> slice(n, x);
            case "Flatten" -> flatten(n, x);
            case "Gemm" -> gemm(n, x, where);
            case "Reshape" -> reshape(n, x, where);
            case "ReduceMean" -> reduceMean(n, x);
            default -> null;
        };
        if (out != null && n.getOutputCount() == 1) {
            shapes.put(n.getOutput(0), out);
        }
    }

    private long[] conv(NodeProto n, long[] x, String where) {
        long[] w = n.getInputCount() > 1 ? shapes.get(n.getInput(1)) : null;
        long[] k = ints(n, "kernel_shape");
        int spatial = k.length > 0 ? k.length : w != null ? w.length - 2 : x != null ? x.length - 2 : -1;
        if (w != null && k.length > 0 && (w.length != k.length + 2 || !Arrays.equals(Arrays.copyOfRange(w, 2, w.length), k))) {
            problems.add(where + ": weight dims " + Arrays.toString(w) + " do not match kernel_shape " + Arrays.toString(k));
            return null;
        }
        if (w != null && n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
            long[] b = shapes.get(n.getInput(2));
            if (b != null && (b.length != 1 || b[0] != w[0])) {
                problems.add(where + ": bias dims " + Arrays.toString(b) + " do not match " + w[0] + " output channels");
            }
        }
        if (!attributeLengths(n, spatial, where)) {
            return null;
        }
        if (x == null || w == null) {
            return null;
        }
        long group = intAttr(n, "group", 1);
        if (x.length != w.length) {
            problems.add(where + ": input rank " + x.length + " does not match weight rank " + w.length);
            return null;
        }
        if (x[1] >= 0 && x[1] != w[1] * group) {
            problems.add(where + ": input has " + x[1] + " channels, weight " + Arrays.toString(w) + " expects " + w[1] * group);
        }
        return window(n, x, w[0], Arrays.copyOfRange(w, 2, w.length), false);
    }

    private long[] pool(NodeProto n, long[] x, String where) {
        long[] k = ints(n, "kernel_shape");
        if (k.length == 0) {
            problems.add(where + ": kernel_shape is required");
            return null;
        }
        if (!attributeLengths(n, k.length, where) || x == null) {
            return null;
        }
        if (x.length != k.length + 2) {
            problems.add(where + ": input rank " + x.length + " does not match kernel_shape " + Arrays.toString(k));
            return null;
        }
        return window(n, x, x[1], k, intAttr(n, "ceil_mode", 0) == 1);
    }

    /** pads has 2 entries per spatial axis; strides and dilations one. */
    private boolean attributeLengths(NodeProto n, int spatial, String where) {
        boolean ok = true;
        for (String a : new String[] {"pads", "strides", "dilations"}) {
            long[] v = ints(n, a);
            int want = a.equals("pads") ? 2 * spatial : spatial;
            if (v.length > 0 && v.length != want) {
                problems.add(where + ": " + a + " has " + v.length + " entries, " + spatial + " spatial axes need " + want);
                ok = false;
            }
        }
        return ok;
    }

    private long[] window(NodeProto n, long[] x, long channels, long[] k, boolean ceil) {
        int s = k.length;
        long[] pads = ints(n, "pads");
        long[] strides = ints(n, "strides");
        long[] dilations = ints(n, "dilations");
        long[] out = new long[s + 2];
        out[0] = x[0];
        out[1] = channels;
        for (int i = 0; i < s; i++) {
            long in = x[i + 2];
            long pad = pads.length == 0 ? 0 : pads[i] + pads[i + s];
            long stride = strides.length == 0 ? 1 : strides[i];
            long extent = (k[i] - 1) * (dilations.length == 0 ? 1 : dilations[i]) + 1;
            long span = in + pad - extent;
            out[i + 2] = in < 0 ? -1 : (ceil ? Math.ceilDiv(span, stride) : Math.floorDiv(span, stride)) + 1;
        }
        return out;
    }

    private long[] batchNorm(NodeProto n, long[] x, String where) {
        for (int i = 1; i < Math.min(5, n.getInputCount()); i++) {
            long[] p = shapes.get(n.getInput(i));
            if (p != null && (p.length != 1 || (x != null && x.length > 1 && x[1] >= 0 && p[0] != x[1]))) {
                problems.add(where + ": parameter '" + n.getInput(i) + "' dims " + Arrays.toString(p)
                        + " do not match " + (x == null ? "?" : x[1]) + " channels");
            }
        }
        return x;
    }

    private long[] broadcast(NodeProto n, String where) {
        long[] out = new long[0];
        for (String in : n.getInputList()) {
            long[] s = shapes.get(in);
            if (s == null) {
                return null;
            }
            long[] merged = new long[Math.max(out.length, s.length)];
            for (int i = 1; i <= merged.length; i++) {
                long a = i <= out.length ? out[out.length - i] : 1;
                long b = i <= s.length ? s[s.length - i] : 1;
                if (a >= 0 && b >= 0 && a != b && a != 1 && b != 1) {
                    problems.add(where + ": shapes of '" + n.getInput(0) + "' and '" + in + "' do not broadcast (" + a + " vs " + b + ")");
                    return null;
                }
                merged[merged.length - i] = a == 1 ? b : b == 1 ? a : Math.max(a, b);
            }
            out = merged;
        }
        return out;
    }

    private long[] transpose(NodeProto n, long[] x, String where) {
        if (x == null) {
            return null;
        }
        long[] perm = ints(n, "perm");
        if (perm.length == 0) {
            perm = new long[x.length];
            for (int i = 0; i < x.length; i++) {
                perm[i] = x.length - 1 - i;
            }
        }
        if (perm.length != x.length) {
            problems.add(where + ": perm " + Arrays.toString(perm) + " does not fit rank " + x.length);
            return null;
        }
        long[] out = new long[x.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = x[(int) perm[i]];
        }
        return out;
    }

    private long[] concat(NodeProto n, String where) {
        long[] out = null;
        for (String in : n.getInputList()) {
            long[] s = shapes.get(in);
            if (s == null) {
                return null;
            }
            if (out == null) {
                out = s.clone();
                continue;
            }
            int axis = (int) Math.floorMod(intAttr(n, "axis", 0), (long) s.length);
            if (s.length != out.length) {
                problems.add(where + ": inputs of rank " + out.length + " and " + s.length);
                return null;
            }
            for (int i = 0; i < s.length; i++) {
                if (i == axis) {
                    out[i] = out[i] < 0 || s[i] < 0 ? -1 : out[i] + s[i];
                } else if (out[i] >= 0 && s[i] >= 0 && out[i] != s[i]) {
                    problems.add(where + ": inputs differ on axis " + i + " (" + out[i] + " vs " + s[i] + ")");
                }
            }
        }
        return out;
    }

    private long[] slice(NodeProto n, long[] x) {
        if (x == null || n.getInputCount() < 3) {
            return null;
        }
        long[] starts = int64s(n.getInput(1));
        long[] ends = int64s(n.getInput(2));
        long[] axes = n.getInputCount() > 3 ? int64s(n.getInput(3)) : null;
        long[] steps = n.getInputCount() > 4 ? int64s(n.getInput(4)) : null;
        if (starts == null || ends == null || (n.getInputCount() > 3 && axes == null) || (n.getInputCount() > 4 && steps == null)) {
            return null;
        }
        long[] out = x.clone();
        for (int i = 0; i < starts.length; i++) {
            int axis = (int) Math.floorMod(axes == null ? i : axes[i], (long) x.length);
            long d = x[axis];
            long step = steps == null ? 1 : steps[i];
            if (d < 0) {
                continue;
            }
            long start = starts[i] < 0 ? starts[i] + d : starts[i];
            long end = ends[i] < 0 ? Math.max(ends[i], Long.MIN_VALUE + d) + d : ends[i];
            if (step > 0) {
                start = Math.clamp(start, 0, d);
                end = Math.clamp(end, 0, d);
                out[axis] = Math.max(0, Math.ceilDiv(end - start, step));
            } else {
                start = Math.clamp(start, 0, d - 1);
                end = Math.clamp(end, -1, d - 1);
                out[axis] = Math.max(0, Math.ceilDiv(start - end, -step));
            }
        }
        return out;
    }

    private long[] flatten(NodeProto n, long[] x) {
        if (x == null) {
            return null;
        }
        int axis = (int) Math.floorMod(intAttr(n, "axis", 1), (long) x.length + 1);
        return new long[] {product(x, 0, axis), product(x, axis, x.length)};
    }

    private long[] gemm(NodeProto n, long[] a, String where) {
        long[] b = n.getInputCount() > 1 ? shapes.get(n.getInput(1)) : null;
        if (a == null || b == null) {
            return null;
        }
        if (a.length != 2 || b.length != 2) {
            problems.add(where + ": Gemm needs 2-D operands, got " + Arrays.toString(a) + " and " + Arrays.toString(b));
            return null;
        }
        boolean ta = intAttr(n, "transA", 0) != 0;
        boolean tb = intAttr(n, "transB", 0) != 0;
        long ka = ta ? a[0] : a[1];
        long kb = tb ? b[1] : b[0];
        if (ka >= 0 && kb >= 0 && ka != kb) {
            problems.add(where + ": inner dimensions differ (" + ka + " vs " + kb + ")");
        }
        return new long[] {ta ? a[1] : a[0], tb ? b[0] : b[1]};
    }

    private long[] reshape(NodeProto n, long[] x, String where) {
        long[] target = n.getInputCount() > 1 ? int64s(n.getInput(1)) : null;
        if (target == null) {
            return null;
        }
        long[] out = target.clone();
        int infer = -1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0 && x != null && i < x.length) {
                out[i] = x[i];
            } else if (out[i] == -1) {
                if (infer >= 0) {
                    problems.add(where + ": more than one -1 in the target shape");
                    return null;
                }
                infer = i;
            }
        }
        if (infer >= 0) {
            long known = 1;
            for (int i = 0; i < out.length && known > 0; i++) {
                known = i == infer ? known : out[i] < 0 ? -1 : known * out[i];
            }
            long total = x == null ? -1 : product(x, 0, x.length);
            out[infer] = known > 0 && total >= 0 ? total / known : -1;
        }
        return out;
    }

    private long[] reduceMean(NodeProto n, long[] x) {
        if (x == null) {
            return null;
        }
        long[] axes = ints(n, "axes");
        boolean keep = intAttr(n, "keepdims", 1) != 0;
        boolean[] reduced = new boolean[x.length];
        for (long a : axes) {
            reduced[(int) Math.floorMod(a, (long) x.length)] = true;
        }
        return java.util.stream.IntStream.range(0, x.length)
                .filter(i -> keep || !(axes.length == 0 || reduced[i]))
                .mapToLong(i -> axes.length == 0 || reduced[i] ? 1 : x[i])
                .toArray();
    }

    /** Product of dims [from, to); −1 when any is unknown. */
    private static long product(long[] dims, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            if (dims[i] < 0) {
                return -1;
            }
            p *= dims[i];
        }
        return p;
    }

    private static boolean compatible(long[] a, long[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] >= 0 && b[i] >= 0 && a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    /** Values of a constant int64 operand, or null when it is not a constant. */
    private long[] int64s(String value) {
        TensorProto t = constants.get(value);
        if (t == null || t.getDataType() != TensorProto.DataType.INT64_VALUE) {
            return null;
        }
        if (!t.hasRawData()) {
            return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
        }
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[raw.remaining() / 8];
        raw.asLongBuffer().get(out);
        return out;
    }

    private static long[] ints(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
            }
        }
        return new long[0];
    }

    private static long intAttr(NodeProto n, String name, long fallback) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return fallback;
    }
}
