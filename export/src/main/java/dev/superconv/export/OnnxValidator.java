package dev.superconv.export;

import dev.superconv.core.BadInputException;
import dev.superconv.export.onnx.GraphProto;
import dev.superconv.export.onnx.ModelProto;
import dev.superconv.export.onnx.NodeProto;
import dev.superconv.export.onnx.OperatorSetIdProto;
import dev.superconv.export.onnx.TensorProto;
import dev.superconv.export.onnx.TensorProto.DataType;
import dev.superconv.export.onnx.TensorShapeProto;
import dev.superconv.export.onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Structural checks of an ONNX model, independent of any runtime: IR version and opset imports
 * present, graph inputs and outputs typed, every value defined once, every node input defined
 * before the node (topological order), initializer data sizes matching their dims, and, through
 * {@link StaticShapes}, weight shapes consistent with the attributes and shapes of the ops that
 * use them.
 */
public final class OnnxValidator {
    private OnnxValidator() {}

    /** Every problem found, in graph order; empty means valid. */
    public static List<String> problems(ModelProto model) {
        List<String> problems = new ArrayList<>();
        if (model.getIrVersion() < 3) {
            problems.add("IR version " + model.getIrVersion() + " is missing or older than 3 (opset imports need IR 3+)");
        }
        Map<String, Long> opsets = new HashMap<>();
        for (OperatorSetIdProto op : model.getOpsetImportList()) {
            String domain = op.getDomain().equals("ai.onnx") ? "" : op.getDomain();
            if (opsets.put(domain, op.getVersion()) != null) {
                problems.add("opset domain '" + domain + "' imported twice");
            }
            if (op.getVersion() < 1) {
                problems.add("opset domain '" + domain + "' has no version");
            }
        }
        if (!opsets.containsKey("")) {
            problems.add("no opset import for the default ONNX domain");
        }
        if (!model.hasGraph()) {
            problems.add("no graph");
            return problems;
        }
        graph(model.getGraph(), opsets, problems);
        return problems;
    }

    /** Throws a one-line {@link BadInputException} naming the first problem (and how many more). */
    public static void check(ModelProto model, String what) {
        List<String> problems = problems(model);
        if (!problems.isEmpty()) {
            String more = problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problems)" : "";
            throw new BadInputException(what + ": invalid ONNX graph: " + problems.get(0) + more);
        }
    }

    private static void graph(GraphProto g, Map<String, Long> opsets, List<String> problems) {
        Set<String> defined = new HashSet<>();
        StaticShapes shapes = new StaticShapes(problems);
        Set<String> unimported = new HashSet<>();
        for (ValueInfoProto in : g.getInputList()) {
            typed("graph input", in, problems);
            if (!defined.add(in.getName())) {
                problems.add("graph input '" + in.getName() + "' defined twice");
            }
            if (hasShape(in)) {
                shapes.declare(in.getName(), dims(in));
            }
        }
        for (TensorProto t : g.getInitializerList()) {
            if (t.getName().isEmpty()) {
                problems.add("an initializer has no name");
            }
            // an initializer may also be listed as a graph input (its default value)
            if (!defined.add(t.getName()) && g.getInputList().stream().noneMatch(i -> i.getName().equals(t.getName()))) {
                problems.add("initializer '" + t.getName() + "' defined twice");
            }
            dataSize(t, problems);
            shapes.constant(t);
        }
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            String where = "node " + i + " (" + n.getOpType() + (n.getName().isEmpty() ? "" : " '" + n.getName() + "'") + ")";
            if (n.getOpType().isEmpty()) {
                problems.add(where + " has no op_type");
            }
            String domain = n.getDomain().equals("ai.onnx") ? "" : n.getDomain();
            if (!opsets.containsKey(domain) && !domain.isEmpty() && unimported.add(domain)) {
                problems.add(where + " uses domain '" + domain + "' without an opset import");
            }
            if (n.getOutputCount() == 0) {
                problems.add(where + " has no outputs");
            }
            boolean inputsDefined = true;
            for (String in : n.getInputList()) {
                // an empty name is an omitted optional input
                if (!in.isEmpty() && !defined.contains(in)) {
                    problems.add(where + " uses '" + in + "' before it is defined (not topologically sorted, or undefined)");
                    inputsDefined = false;
                }
            }
            for (String out : n.getOutputList()) {
                if (!out.isEmpty() && !defined.add(out)) {
                    problems.add(where + " redefines '" + out + "'");
                }
            }
            if (inputsDefined) {
                shapes.apply(n, where);
            }
        }
        if (g.getOutputCount() == 0) {
            problems.add("the graph has no outputs");
        }
        for (ValueInfoProto out : g.getOutputList()) {
            typed("graph output", out, problems);
            if (!defined.contains(out.getName())) {
                problems.add("graph output '" + out.getName() + "' is never computed");
            } else if (hasShape(out)) {
                shapes.compareDeclared(out.getName(), dims(out));
            }
        }
    }

    private static void typed(String kind, ValueInfoProto v, List<String> problems) {
        if (v.getName().isEmpty()) {
            problems.add(kind + " without a name");
        }
        if (!v.hasType() || !v.getType().hasTensorType() || v.getType().getTensorType().getElemType() == 0) {
            problems.add(kind + " '" + v.getName() + "' has no tensor element type");
        } else if (!v.getType().getTensorType().hasShape()) {
            problems.add(kind + " '" + v.getName() + "' has no shape");
        }
    }

    private static boolean hasShape(ValueInfoProto v) {
        return v.getType().getTensorType().hasShape();
    }

    /** Declared dims of a value that has a shape, −1 for symbolic or absent ones. */
    static long[] dims(ValueInfoProto v) {
        List<TensorShapeProto.Dimension> ds = v.getType().getTensorType().getShape().getDimList();
        long[] out = new long[ds.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ds.get(i).hasDimValue() ? ds.get(i).getDimValue() : -1;
        }
        return out;
    }

    private static void dataSize(TensorProto t, List<String> problems) {
        long numel = 1;
        for (long d : t.getDimsList()) {
            if (d < 0) {
                problems.add("initializer '" + t.getName() + "' has a negative dim");
                return;
            }
            numel *= d;
        }
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return;
        }
        DataType type = DataType.forNumber(t.getDataType());
        int width = elementBytes(type);
        if (width == 0) {
            problems.add("initializer '" + t.getName() + "' has unsupported data type " + t.getDataType());
            return;
        }
        long have;
        if (t.hasRawData()) {
            have = t.getRawData().size() / width;
            if (t.getRawData().size() % width != 0) {
                problems.add("initializer '" + t.getName() + "' raw_data is not a whole number of elements");
            }
        } else {
            have = switch (type) {
                case FLOAT -> t.getFloatDataCount();
                case INT64 -> t.getInt64DataCount();
                case DOUBLE -> t.getDoubleDataCount();
                case UINT32, UINT64 -> t.getUint64DataCount();
                default -> t.getInt32DataCount();
            };
        }
        if (have != numel) {
            problems.add("initializer '" + t.getName() + "' holds " + have + " elements but its dims give " + numel);
        }
    }

    static int elementBytes(DataType type) {
        if (type == null) {
            return 0;
        }
        return switch (type) {
            case FLOAT, INT32, UINT32 -> 4;
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16, FLOAT16, BFLOAT16 -> 2;
            case INT64, DOUBLE, UINT64, COMPLEX64 -> 8;
            case COMPLEX128 -> 16;
            default -> 0;
        };
    }
}
