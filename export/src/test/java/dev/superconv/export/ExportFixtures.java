package dev.superconv.export;

import dev.superconv.export.onnx.GraphProto;
import dev.superconv.export.onnx.ModelProto;
import dev.superconv.export.onnx.NodeProto;
import dev.superconv.export.onnx.TensorProto;
import java.util.List;

/** Small helpers to look into and mutate exported models in tests. */
final class ExportFixtures {
    private ExportFixtures() {}

    static List<NodeProto> nodes(ModelProto m, String opType) {
        return m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(opType)).toList();
    }

    static TensorProto initializer(ModelProto m, String name) {
        return m.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst().orElseThrow();
    }

    static int initializerIndex(GraphProto g, String name) {
        for (int i = 0; i < g.getInitializerCount(); i++) {
            if (g.getInitializer(i).getName().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no initializer " + name);
    }

    static int nodeIndex(GraphProto g, String name) {
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getName().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no node " + name);
    }

    /** The model with initializer {@code name} replaced by zeros of the given dims (data size kept consistent). */
    static ModelProto withZeroInitializer(ModelProto m, String name, long... dims) {
        GraphProto g = m.getGraph();
        int i = initializerIndex(g, name);
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        float[] zeros = new float[(int) n];
        TensorProto t = new Initializer.Floats(name, dims, zeros, false).toProto();
        return m.toBuilder().setGraph(g.toBuilder().setInitializer(i, t)).build();
    }
}
