package dev.superconv.export;

import dev.superconv.core.BadInputException;
import dev.superconv.export.onnx.AttributeProto;
import dev.superconv.export.onnx.AttributeProto.AttributeType;
import dev.superconv.export.onnx.GraphProto;
import dev.superconv.export.onnx.NodeProto;
import dev.superconv.export.onnx.TensorProto.DataType;
import dev.superconv.export.onnx.TensorShapeProto;
import dev.superconv.export.onnx.TypeProto;
import dev.superconv.export.onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds one ONNX graph in topological order. Every node names its output after itself, and a
 * value may only be consumed once it has been defined (graph input, initializer or earlier node
 * output), so a graph built here is sorted by construction. Initializers are kept apart from the
 * graph header so the writer can stream them.
 */
public final class GraphBuilder {
    private static final float FP16_MAX = 65504f;

    /** A tensor dimension: fixed ({@code 32}) or symbolic ({@code "N"}). */
    public record Dim(long value, String param) {
        public static Dim of(long value) {
            return new Dim(value, "");
        }

        public static Dim symbolic(String param) {
            return new Dim(-1, param);
        }
    }

    private final String name;
    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<ValueInfoProto> inputs = new ArrayList<>();
    private final List<ValueInfoProto> outputs = new ArrayList<>();
    private final List<Initializer> initializers = new ArrayList<>();
    private final Set<String> defined = new HashSet<>();
    private String docString = "";

    public GraphBuilder(String name) {
        this.name = name;
    }

    public GraphBuilder doc(String doc) {
        this.docString = doc;
        return this;
    }

    public String input(String value, DataType type, List<Dim> shape, String doc) {
        define(value);
        inputs.add(valueInfo(value, type, shape, doc));
        return value;
    }

    /** Declares an already defined value as a graph output. */
    public void output(String value, DataType type, List<Dim> shape, String doc) {
        requireDefined(value, "graph output");
        outputs.add(valueInfo(value, type, shape, doc));
    }

    /** Declares an already defined value as a graph output of unstated shape (calibration outputs). */
    public void output(String value, DataType type, String doc) {
        requireDefined(value, "graph output");
        TypeProto t = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber())).build();
        outputs.add(ValueInfoProto.newBuilder().setName(value).setType(t).setDocString(doc).build());
    }

    public String initializer(Initializer init) {
        define(init.name());
        initializers.add(init);
        return init.name();
    }

    /** A float initializer; with {@code half} its values must fit float16 (|v| ≤ 65504). */
    public String floats(String value, long[] dims, float[] values, boolean half) {
        if (half) {
            for (float v : values) {
                if (!(Math.abs(v) <= FP16_MAX)) {
                    throw new BadInputException("weight " + value + " holds " + v
                            + ", outside the float16 range; export with --precision fp32");
                }
            }
        }
        return initializer(new Initializer.Floats(value, dims, values, half));
    }

    public String int64s(String value, long... values) {
        return initializer(new Initializer.Int64s(value, new long[] {values.length}, values));
    }

    /** Adds a node whose single output is named {@code output}; returns that name. */
    public String node(String output, String opType, List<String> nodeInputs, AttributeProto... attributes) {
        for (String in : nodeInputs) {
            requireDefined(in, opType + " node " + output);
        }
        define(output);
        nodes.add(NodeProto.newBuilder()
                .setName(output)
                .setOpType(opType)
                .addAllInput(nodeInputs)
                .addOutput(output)
                .addAllAttribute(List.of(attributes))
                .build());
        return output;
    }

    /** The graph without initializer data: nodes, inputs, outputs, name, doc. */
    public GraphProto header() {
        return GraphProto.newBuilder()
                .setName(name)
                .setDocString(docString)
                .addAllNode(nodes)
                .addAllInput(inputs)
                .addAllOutput(outputs)
                .build();
    }

    public List<Initializer> initializers() {
        return List.copyOf(initializers);
    }

    /** The whole graph in memory, initializer data included (tests and small graphs). */
    public GraphProto toProto() {
        GraphProto.Builder g = header().toBuilder();
        initializers.forEach(i -> g.addInitializer(i.toProto()));
        return g.build();
    }

    private void define(String value) {
        if (value.isEmpty() || !defined.add(value)) {
            throw new IllegalStateException("value name '" + value + "' is empty or already defined");
        }
    }

    private void requireDefined(String value, String user) {
        if (!defined.contains(value)) {
            throw new IllegalStateException(user + " uses '" + value + "' before it is defined");
        }
    }

    static ValueInfoProto valueInfo(String value, DataType type, List<Dim> shape, String doc) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (Dim d : shape) {
            TensorShapeProto.Dimension.Builder dim = s.addDimBuilder();
            if (d.param().isEmpty()) {
                dim.setDimValue(d.value());
            } else {
                dim.setDimParam(d.param());
            }
        }
        TypeProto t = TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(s))
                .build();
        return ValueInfoProto.newBuilder().setName(value).setType(t).setDocString(doc).build();
    }

    public static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
    }

    public static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(value).build();
    }

    public static AttributeProto stringAttr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(value)).build();
    }

    public static AttributeProto intsAttr(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }
}
