package dev.superconv.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import dev.superconv.export.onnx.GraphProto;
import dev.superconv.export.onnx.ModelProto;
import dev.superconv.export.onnx.NodeProto;
import dev.superconv.export.onnx.OperatorSetIdProto;
import dev.superconv.export.onnx.StringStringEntryProto;
import dev.superconv.export.onnx.TensorProto;
import dev.superconv.export.onnx.TensorProto.DataType;
import dev.superconv.export.onnx.TensorShapeProto;
import dev.superconv.export.onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** What {@code superconv inspect} reports about an ONNX file: interface, operators, size, metadata, validity. */
public final class OnnxInspector {
    private static final Set<DataType> FLOATING = EnumSet.of(DataType.FLOAT, DataType.FLOAT16, DataType.BFLOAT16, DataType.DOUBLE);

    private OnnxInspector() {}

    /** A graph input or output: name, element type, dims (numbers or symbolic names). */
    public record Value(String name, String type, List<String> dims) {
        String describe() {
            return type + "[" + String.join(", ", dims) + "]";
        }
    }

    /**
     * @param nodeCounts nodes per op type, most frequent first
     * @param parameters elements of floating-point initializers
     * @param problems   structural problems ({@link OnnxValidator}); empty when valid
     */
    public record Inspection(Path file, long bytes, long irVersion, Map<String, Long> opsets, String producer,
                             List<Value> inputs, List<Value> outputs, Map<String, Integer> nodeCounts, int nodes,
                             long parameters, int initializers, Map<String, String> metadata, List<String> problems) {
        public String toText() {
            StringBuilder s = new StringBuilder();
            s.append(file).append(" (").append(String.format("%,d", bytes)).append(" bytes): ONNX IR ").append(irVersion)
                    .append(", opset ").append(opsets.entrySet().stream()
                            .map(e -> (e.getKey().isEmpty() ? "ai.onnx" : e.getKey()) + " " + e.getValue())
                            .collect(Collectors.joining(", ")))
                    .append(", producer ").append(producer).append('\n');
            s.append("inputs:\n");
            inputs.forEach(v -> s.append(String.format("  %-10s %s%n", v.name(), v.describe())));
            s.append("outputs:\n");
            outputs.forEach(v -> s.append(String.format("  %-10s %s%n", v.name(), v.describe())));
            s.append("nodes: ").append(nodes).append(" (").append(nodeCounts.entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))).append(")\n");
            s.append(String.format("parameters: %,d in %d initializers%n", parameters, initializers));
            if (!metadata.isEmpty()) {
                s.append("metadata:\n");
                metadata.forEach((k, v) -> s.append("  ").append(k).append(" = ").append(v).append('\n'));
            }
            s.append(problems.isEmpty() ? "structure: valid\n" : "structure: " + problems.size() + " problems\n");
            problems.forEach(p -> s.append("  - ").append(p).append('\n'));
            return s.toString();
        }

        public ObjectNode toJson() {
            JsonNodeFactory f = JsonNodeFactory.instance;
            ObjectNode o = f.objectNode();
            o.put("file", file.toString());
            o.put("bytes", bytes);
            o.put("ir_version", irVersion);
            ObjectNode ops = o.putObject("opsets");
            opsets.forEach((k, v) -> ops.put(k.isEmpty() ? "ai.onnx" : k, v));
            o.put("producer", producer);
            o.set("inputs", values(inputs));
            o.set("outputs", values(outputs));
            o.put("nodes", nodes);
            ObjectNode counts = o.putObject("node_counts");
            nodeCounts.forEach(counts::put);
            o.put("parameters", parameters);
            o.put("initializers", initializers);
            ObjectNode meta = o.putObject("metadata");
            metadata.forEach(meta::put);
            o.put("valid", problems.isEmpty());
            ArrayNode p = o.putArray("problems");
            problems.forEach(p::add);
            return o;
        }

        private static ArrayNode values(List<Value> values) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            for (Value v : values) {
                ObjectNode o = a.addObject();
                o.put("name", v.name());
                o.put("type", v.type());
                ArrayNode d = o.putArray("shape");
                v.dims().forEach(d::add);
            }
            return a;
        }
    }

    public static Inspection inspect(Path file) {
        ModelProto model = OnnxReader.read(file);
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (IOException e) {
            throw new BadInputException("ONNX model " + file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return inspect(model, file, bytes);
    }

    public static Inspection inspect(ModelProto model, Path file, long bytes) {
        GraphProto g = model.getGraph();
        Map<String, Long> opsets = new LinkedHashMap<>();
        for (OperatorSetIdProto op : model.getOpsetImportList()) {
            opsets.put(op.getDomain(), op.getVersion());
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (NodeProto n : g.getNodeList()) {
            counts.merge(n.getOpType(), 1, Integer::sum);
        }
        Map<String, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        // learned values: float tensors, or the int8 weights and int32 biases of a quantised (QDQ)
        // graph; quantisation scales and zero points are bookkeeping, not parameters
        long parameters = 0;
        for (TensorProto t : g.getInitializerList()) {
            DataType type = DataType.forNumber(t.getDataType());
            boolean learned = FLOATING.contains(type) ? !t.getName().endsWith(".scale")
                    : (type == DataType.INT8 || type == DataType.INT32) && !t.getName().endsWith("zero_point");
            if (learned) {
                parameters += t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
            }
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (StringStringEntryProto e : model.getMetadataPropsList()) {
            metadata.put(e.getKey(), e.getValue());
        }
        String producer = (model.getProducerName() + " " + model.getProducerVersion()).trim();
        return new Inspection(file, bytes, model.getIrVersion(), opsets, producer.isEmpty() ? "unknown" : producer,
                values(g.getInputList()), values(g.getOutputList()), sorted, g.getNodeCount(), parameters,
                g.getInitializerCount(), metadata, OnnxValidator.problems(model));
    }

    private static List<Value> values(List<ValueInfoProto> infos) {
        List<Value> out = new ArrayList<>();
        for (ValueInfoProto v : infos) {
            DataType type = DataType.forNumber(v.getType().getTensorType().getElemType());
            List<String> dims = new ArrayList<>();
            for (TensorShapeProto.Dimension d : v.getType().getTensorType().getShape().getDimList()) {
                dims.add(d.hasDimValue() ? Long.toString(d.getDimValue()) : d.hasDimParam() ? d.getDimParam() : "?");
            }
            out.add(new Value(v.getName(), typeName(type), dims));
        }
        return out;
    }

    private static String typeName(DataType type) {
        if (type == null) {
            return "unknown";
        }
        return switch (type) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            default -> type.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
