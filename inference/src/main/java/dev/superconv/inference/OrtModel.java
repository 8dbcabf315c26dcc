package dev.superconv.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxModelMetadata;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.superconv.core.BadInputException;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.data.ResizePolicy;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.ModelMetadata;
import dev.superconv.core.model.OutputKind;
import dev.superconv.core.model.Tta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An ONNX image classifier opened in ONNX Runtime, with what superconv needs to feed it: the input
 * format (from the input's type and shape), class names and normalisation (from the model's
 * metadata). Owns its session; closing it closes the session, and any use after close fails with
 * an {@link IllegalStateException} instead of reaching native code.
 */
public final class OrtModel implements AutoCloseable {
    private final Path file;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;
    private final String outputName;
    private final InputFormat inputFormat;
    private final int imageSize;
    private final long fixedBatch;
    private final List<String> classes;
    private final boolean hasClassNames;
    private final float[] mean;
    private final float[] std;
    private final boolean outputsProbabilities;
    private final Tta graphTta;
    private final Device device;
    private final String deviceNote;
    private volatile boolean closed;

    private OrtModel(Path file, OrtEnvironment env, OrtSession session, Device device, String deviceNote) throws OrtException {
        this.file = file;
        this.env = env;
        this.session = session;
        this.device = device;
        this.deviceNote = deviceNote;
        String what = "model " + file + ": ";

        Map<String, NodeInfo> inputs = session.getInputInfo();
        if (inputs.size() != 1) {
            throw new BadInputException(what + inputs.size() + " inputs " + inputs.keySet() + "; an image classifier has exactly one");
        }
        NodeInfo in = inputs.values().iterator().next();
        inputName = in.getName();
        if (!(in.getInfo() instanceof TensorInfo ti)) {
            throw new BadInputException(what + "input '" + inputName + "' is not a tensor");
        }
        long[] s = ti.getShape();
        // the input size is the graph's (square, fixed): images are resized to it with the training policy
        if (s.length == 4 && ti.type == OnnxJavaType.FLOAT && s[1] == 3 && square(s[2], s[3])) {
            inputFormat = InputFormat.FLOAT_NCHW;
            imageSize = (int) s[2];
        } else if (s.length == 4 && ti.type == OnnxJavaType.UINT8 && square(s[1], s[2]) && s[3] == 3) {
            inputFormat = InputFormat.UINT8_NHWC;
            imageSize = (int) s[1];
        } else {
            throw new BadInputException(what + "input '" + inputName + "' is " + ti.type + " " + Arrays.toString(s)
                    + "; superconv needs float32 N×3×S×S or uint8 N×S×S×3 (S fixed, " + ResizePolicy.MIN_SIZE + ".." + ResizePolicy.MAX_SIZE + ")");
        }
        fixedBatch = s[0] > 0 ? s[0] : -1;

        Map<String, NodeInfo> outputs = session.getOutputInfo();
        NodeInfo out = outputs.values().iterator().next();
        outputName = out.getName();
        if (!(out.getInfo() instanceof TensorInfo to) || to.type != OnnxJavaType.FLOAT || to.getShape().length != 2) {
            throw new BadInputException(what + "output '" + outputName + "' is " + out.getInfo() + "; expected float32 N×classes scores");
        }
        long outClasses = to.getShape()[1];

        ModelMetadata meta;
        try {
            meta = ModelMetadata.fromMap(session.getMetadata().getCustomMetadata());
        } catch (BadInputException e) {
            throw new BadInputException(what + e.getMessage(), e);
        }
        hasClassNames = meta.hasClassNames();
        classes = hasClassNames ? meta.classes() : numbered(what, outClasses);
        if (outClasses > 0 && outClasses != classes.size()) {
            throw new BadInputException(what + "output has " + outClasses + " classes but the metadata names " + classes.size());
        }
        if (inputFormat == InputFormat.FLOAT_NCHW) {
            if (!meta.hasNormalization()) {
                throw new BadInputException(what + "float input but no 'mean'/'std' metadata to normalise with (export it with superconv export)");
            }
            mean = meta.mean();
            std = meta.std();
        } else {
            // the graph normalises uint8 input itself
            mean = new float[0];
            std = new float[0];
        }
        outputsProbabilities = meta.output() == OutputKind.PROBS;
        graphTta = meta.tta();
    }

    /** Opens {@code file} with the host's GPU probe. */
    public static OrtModel open(Path file, SessionSettings settings) {
        return open(file, settings, GpuProbe.host());
    }

    public static OrtModel open(Path file, SessionSettings settings, GpuProbe probe) {
        return open(file, settings, probe, ExecutionProviders.CudaRegistration.ORT);
    }

    /**
     * A CUDA session that fails to create is retried on the CPU, which tells the two causes apart: the
     * model loads there (the provider failed: auto runs on the CPU with a note, cuda is a runtime
     * failure naming the provider's error) or it does not (an unloadable model, bad input).
     */
    static OrtModel open(Path file, SessionSettings settings, GpuProbe probe, ExecutionProviders.CudaRegistration registration) {
        if (!Files.exists(file)) {
            throw new BadInputException("model " + file + ": no such file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new BadInputException("model " + file + ": not a readable file");
        }
        OrtEnvironment env = OrtRuntime.environment();
        String cudaFailure;
        OrtException cudaException;
        try (ExecutionProviders.Configured c = ExecutionProviders.configure(env, settings, probe, registration)) {
            try {
                return create(file, env, c);
            } catch (OrtException e) {
                if (c.device() != Device.CUDA) {
                    throw notLoadable(file, e);
                }
                cudaFailure = firstLine(e.getMessage());
                cudaException = e;
            }
        }
        String note = "device auto: running on CPU (the CUDA provider failed to create a session: " + cudaFailure + ")";
        try (ExecutionProviders.Configured c = ExecutionProviders.cpu(settings, note)) {
            OrtModel model = create(file, env, c);
            if (settings.device() == Device.CUDA) {
                model.close();
                throw new ExecutionProviderException("--device cuda: the CUDA execution provider failed to create a session for " + file
                        + " (" + cudaFailure + "); the model itself loads on the CPU", cudaException);
            }
            return model;
        } catch (OrtException e) {
            throw notLoadable(file, e);
        }
    }

    private static OrtModel create(Path file, OrtEnvironment env, ExecutionProviders.Configured c) throws OrtException {
        OrtSession session = env.createSession(file.toString(), c.options());
        try {
            return new OrtModel(file, env, session, c.device(), c.note());
        } catch (RuntimeException | OrtException e) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // the validation error is what the user needs to see
            }
            throw e;
        }
    }

    private static BadInputException notLoadable(Path file, OrtException e) {
        return new BadInputException("model " + file + ": not a loadable ONNX model (" + firstLine(e.getMessage()) + ")", e);
    }

    public Path file() {
        return file;
    }

    public OrtEnvironment environment() {
        checkOpen();
        return env;
    }

    public String inputName() {
        return inputName;
    }

    public String outputName() {
        return outputName;
    }

    public InputFormat inputFormat() {
        return inputFormat;
    }

    /** The side S of the model's square input. */
    public int imageSize() {
        return imageSize;
    }

    /** Bytes of one decoded uint8 input image: S² × 3. */
    public int imageBytes() {
        return imageSize * imageSize * 3;
    }

    /** How any image becomes this model's input: the training loader's policy at S. */
    public ResizePolicy resizePolicy() {
        return new ResizePolicy(imageSize);
    }

    private static boolean square(long h, long w) {
        return h == w && h >= ResizePolicy.MIN_SIZE && h <= ResizePolicy.MAX_SIZE;
    }

    /** The batch size baked into the model's input, or -1 when the batch dimension is dynamic. */
    public long fixedBatch() {
        return fixedBatch;
    }

    public List<String> classes() {
        return classes;
    }

    /** False when the model has no 'classes' metadata and its classes are just numbered. */
    public boolean hasClassNames() {
        return hasClassNames;
    }

    public int classCount() {
        return classes.size();
    }

    /** Per-channel mean (0..1 pixel scale) for float input; empty for uint8 input. */
    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    /** True when the graph ends in Softmax (exported with {@code --output probs}). */
    public boolean outputsProbabilities() {
        return outputsProbabilities;
    }

    /** Whether the graph itself averages test-time augmented views (flip or flip-translate). */
    public boolean ttaInGraph() {
        return graphTta != Tta.NONE;
    }

    /** The test-time augmentation built into the graph. */
    public Tta graphTta() {
        return graphTta;
    }

    /** The device the session runs on (never AUTO). */
    public Device device() {
        return device;
    }

    /** One line on how the device was chosen (e.g. why auto fell back to the CPU); empty when nothing to say. */
    public String deviceNote() {
        return deviceNote;
    }

    public Map<String, String> metadata() {
        checkOpen();
        try {
            OnnxModelMetadata m = session.getMetadata();
            return m.getCustomMetadata();
        } catch (OrtException e) {
            throw new IllegalStateException("model " + file + ": cannot read metadata: " + e.getMessage(), e);
        }
    }

    /** Runs one batch, writing the scores into the pinned output tensor (no output allocation). */
    public void run(OnnxTensorLike input, OnnxValue pinnedOutput) throws OrtException {
        checkOpen();
        try (OrtSession.Result r = session.run(Map.of(inputName, input), Map.of(outputName, pinnedOutput))) {
            // the result only wraps the pinned output, which the caller owns
        }
    }

    /** Runs one batch and returns ONNX Runtime's own result (for tests and references). */
    public OrtSession.Result runAllocating(OnnxTensorLike input) throws OrtException {
        checkOpen();
        return session.run(Map.of(inputName, input));
    }

    /** Runs one batch and returns the named outputs, which may be intermediate values a model exposes (calibration). */
    public OrtSession.Result runOutputs(OnnxTensorLike input, java.util.Set<String> outputs) throws OrtException {
        checkOpen();
        return session.run(Map.of(inputName, input), outputs);
    }

    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("model " + file + " is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("model " + file + ": closing the session failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "OrtModel[" + file + ", " + inputFormat.describe() + ", " + classes.size() + " classes, " + device.cliName() + "]";
    }

    private static List<String> numbered(String what, long count) {
        if (count < 2) {
            throw new BadInputException(what + "no 'classes' metadata and the output size is not fixed");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(Integer.toString(i));
        }
        return List.copyOf(out);
    }

    static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("").strip();
    }
}
