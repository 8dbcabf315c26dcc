package dev.superconv.export;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** Runs an exported model in ONNX Runtime on the CPU (the test-side consumer of the file). */
final class OrtRunner implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    OrtRunner(Path model) throws OrtException {
        this(model, null);
    }

    /** With {@code optimizedCopy} set, ONNX Runtime also writes the graph it actually runs there. */
    OrtRunner(Path model, Path optimizedCopy) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(2);
            if (optimizedCopy != null) {
                options.setOptimizedModelFilePath(optimizedCopy.toString());
            }
            session = env.createSession(model.toString(), options);
        }
    }

    /** float32 (n, 3, 32, 32) → the named outputs, each flattened. */
    Map<String, float[]> runOutputs(float[] nchw, int n, java.util.List<String> names) throws OrtException {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(nchw, 0, n * 3 * 32 * 32), new long[] {n, 3, 32, 32});
             OrtSession.Result r = session.run(Map.of(ResNetGraph.INPUT, in), new java.util.HashSet<>(names))) {
            for (String name : names) {
                FloatBuffer b = ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
                float[] v = new float[b.remaining()];
                b.get(v);
                out.put(name, v);
            }
        }
        return out;
    }

    /** float32 (n, 3, 32, 32) → (n, classes) flattened. */
    float[] runFloat(float[] nchw, int n) throws OrtException {
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(nchw, 0, n * 3 * 32 * 32), new long[] {n, 3, 32, 32})) {
            return run(in);
        }
    }

    /** uint8 (n, 32, 32, 3) → (n, classes) flattened. */
    float[] runUint8(byte[] nhwc, int n) throws OrtException {
        ByteBuffer buf = ByteBuffer.wrap(nhwc, 0, n * 32 * 32 * 3);
        try (OnnxTensor in = OnnxTensor.createTensor(env, buf, new long[] {n, 32, 32, 3}, OnnxJavaType.UINT8)) {
            return run(in);
        }
    }

    /** float32 (n, 3, s, s) → (n, classes) flattened. */
    float[] runFloat(float[] nchw, int n, int s) throws OrtException {
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(nchw, 0, n * 3 * s * s), new long[] {n, 3, s, s})) {
            return run(in);
        }
    }

    /** uint8 (n, s, s, 3) → (n, classes) flattened. */
    float[] runUint8(byte[] nhwc, int n, int s) throws OrtException {
        try (OnnxTensor in = OnnxTensor.createTensor(env, ByteBuffer.wrap(nhwc, 0, n * s * s * 3), new long[] {n, s, s, 3}, OnnxJavaType.UINT8)) {
            return run(in);
        }
    }

    Map<String, String> metadata() throws OrtException {
        return session.getMetadata().getCustomMetadata();
    }

    long[] inputShape() throws OrtException {
        return ((ai.onnxruntime.TensorInfo) session.getInputInfo().get(ResNetGraph.INPUT).getInfo()).getShape();
    }

    private float[] run(OnnxTensor in) throws OrtException {
        try (OrtSession.Result r = session.run(Map.of(ResNetGraph.INPUT, in))) {
            float[][] out = (float[][]) r.get(0).getValue();
            float[] flat = new float[out.length * out[0].length];
            for (int i = 0; i < out.length; i++) {
                System.arraycopy(out[i], 0, flat, i * out[0].length, out[0].length);
            }
            return flat;
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
