package dev.superconv.inference;

import com.google.protobuf.ByteString;
import dev.superconv.core.model.InputFormat;
import dev.superconv.export.onnx.AttributeProto;
import dev.superconv.export.onnx.GraphProto;
import dev.superconv.export.onnx.ModelProto;
import dev.superconv.export.onnx.NodeProto;
import dev.superconv.export.onnx.OperatorSetIdProto;
import dev.superconv.export.onnx.StringStringEntryProto;
import dev.superconv.export.onnx.TensorProto;
import dev.superconv.export.onnx.TensorShapeProto;
import dev.superconv.export.onnx.TypeProto;
import dev.superconv.export.onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Small ONNX models whose output the tests can compute by hand: a linear classifier over the whole
 * flattened input, {@code scores = flatten(x) · W}, so every pixel's position and value matters
 * (layout, normalisation and mirroring errors all change the scores). Public for the tests of
 * {@code inference.serve}.
 */
public final class TestModels {
    public static final int PIXELS = 32 * 32 * 3;
    public static final List<String> CLASSES = List.of("alpha", "bravo", "charlie", "delta");
    static final float[] MEAN = {0.4914f, 0.4822f, 0.4465f};
    static final float[] STD = {0.2470f, 0.2435f, 0.2616f};

    private TestModels() {}

    /** A linear model with weights (PIXELS, classes) and its file. */
    public record Linear(Path file, float[] weights, int classes, InputFormat format) {
        /** Scores of one image given as model input values (normalised NCHW floats, or NHWC pixel values). */
        double[] scores(float[] input) {
            double[] s = new double[classes];
            for (int i = 0; i < PIXELS; i++) {
                for (int k = 0; k < classes; k++) {
                    s[k] += (double) input[i] * weights[i * classes + k];
                }
            }
            return s;
        }
    }

    public static Map<String, String> standardMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("classes", "[\"alpha\",\"bravo\",\"charlie\",\"delta\"]");
        m.put("mean", "[0.4914,0.4822,0.4465]");
        m.put("std", "[0.247,0.2435,0.2616]");
        m.put("output", "logits");
        m.put("tta", "none");
        return m;
    }

    public static Linear linear(Path dir, InputFormat format, long seed) throws IOException {
        return linear(dir.resolve("linear-" + format + "-" + seed + ".onnx"), format, seed, standardMetadata(), -1);
    }

    public static Linear linear(Path file, InputFormat format, long seed, Map<String, String> metadata, long batch) throws IOException {
        int k = CLASSES.size();
        float[] w = new float[PIXELS * k];
        SplittableRandom rng = new SplittableRandom(seed);
        // uint8 inputs are 0..255: scale the weights so logits stay in a few units either way
        double amp = format == InputFormat.FLOAT_NCHW ? 0.05 : 0.0004;
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rng.nextDouble(-1, 1) * amp);
        }
        GraphProto.Builder g = GraphProto.newBuilder().setName("linear");
        String x = "input";
        if (format == InputFormat.UINT8_NHWC) {
            g.addInput(value("input", TensorProto.DataType.UINT8, batch, 32, 32, 3));
            g.addNode(node("Cast", List.of("input"), "as_float", attrInt("to", TensorProto.DataType.FLOAT.getNumber())));
            x = "as_float";
        } else {
            g.addInput(value("input", TensorProto.DataType.FLOAT, batch, 3, 32, 32));
        }
        g.addNode(node("Flatten", List.of(x), "flat", attrInt("axis", 1)));
        g.addInitializer(floats("W", w, PIXELS, k));
        g.addNode(node("MatMul", List.of("flat", "W"), "logits"));
        g.addOutput(value("logits", TensorProto.DataType.FLOAT, batch, k));
        write(file, g.build(), metadata);
        return new Linear(file, w, k, format);
    }

    /**
     * A uint8 model whose session run fails when any pixel value is {@code >= limit}: the pixels index a
     * table of {@code limit} floats (Gather checks its indices at run time), then a linear layer as in
     * {@link #linear}. Dark images classify, bright ones make the whole batch fail.
     */
    public static Path failingOnBrightPixels(Path file, int limit) throws IOException {
        float[] table = new float[limit];
        for (int i = 0; i < limit; i++) {
            table[i] = i / 255f;
        }
        int k = CLASSES.size();
        float[] w = new float[PIXELS * k];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextDouble(-0.05, 0.05);
        }
        GraphProto.Builder g = GraphProto.newBuilder().setName("failing");
        g.addInput(value("input", TensorProto.DataType.UINT8, -1, 32, 32, 3));
        g.addNode(node("Cast", List.of("input"), "index", attrInt("to", TensorProto.DataType.INT64.getNumber())));
        g.addInitializer(floats("table", table, limit));
        g.addNode(node("Gather", List.of("table", "index"), "looked_up", attrInt("axis", 0)));
        g.addNode(node("Flatten", List.of("looked_up"), "flat", attrInt("axis", 1)));
        g.addInitializer(floats("W", w, PIXELS, k));
        g.addNode(node("MatMul", List.of("flat", "W"), "logits"));
        g.addOutput(value("logits", TensorProto.DataType.FLOAT, -1, k));
        write(file, g.build(), standardMetadata());
        return file;
    }

    /** A model with any input type/shape, output = input reshaped to (N, -1) (for shape validation). */
    static Path passThrough(Path file, TensorProto.DataType type, long... dims) throws IOException {
        GraphProto.Builder g = GraphProto.newBuilder().setName("pass");
        g.addInput(value("input", type, dims));
        g.addNode(node("Flatten", List.of("input"), "out", attrInt("axis", 1)));
        long flat = 1;
        for (int i = 1; i < dims.length; i++) {
            flat *= dims[i];
        }
        g.addOutput(value("out", type, dims[0], flat));
        write(file, g.build(), standardMetadata());
        return file;
    }

    static void write(Path file, GraphProto graph, Map<String, String> metadata) throws IOException {
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setProducerName("superconv-tests")
                .setGraph(graph);
        metadata.forEach((key, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(v)));
        Files.write(file, m.build().toByteArray());
    }

    private static NodeProto node(String op, List<String> inputs, String output, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output).addAllInput(inputs).addOutput(output);
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        return n.build();
    }

    private static AttributeProto attrInt(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static TensorProto floats(String name, float[] v, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A tensor value; a negative dimension is the symbolic batch "N". */
    private static ValueInfoProto value(String name, TensorProto.DataType type, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N") : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
                .build();
    }

    /** {@code n} random uint8 HWC images. */
    public static byte[] randomImages(int n, long seed) {
        byte[] px = new byte[n * PIXELS];
        new SplittableRandom(seed).nextBytes(px);
        return px;
    }
}
