package dev.superconv.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.bindings.LayerNet;
import dev.superconv.bindings.Natives;
import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.export.ExportOptions;
import dev.superconv.export.OnnxExporter;
import dev.superconv.inference.ActivationRanges;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.Tta;
import dev.superconv.inference.EvalResult;
import dev.superconv.inference.OrtEvaluator;
import dev.superconv.inference.OrtModel;
import dev.superconv.inference.SessionSettings;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.global.torch;

/**
 * ONNX Runtime evaluation of an exported ResNet-9 (libtorch's initial weights: speed does not
 * depend on them) on decoded images: {@link #pipelined()} as {@code superconv eval} runs it
 * (preprocessing of batch k+1 overlapping the run of batch k), {@link #bare()} only
 * {@code session.run} over tensors normalised beforehand — the ceiling the pipeline must reach.
 */
public final class OrtEvalProbe implements AutoCloseable {
    /** Argmax disagreements allowed between the two paths (near-ties may flip across batch shapes). */
    static final double MAX_DISAGREEMENT = 0.001;

    private final OrtModel model;
    private final Dataset data;
    private final int batch;
    private final List<OnnxTensor> inputs = new ArrayList<>();
    private final List<OnnxTensor> outputs = new ArrayList<>();
    private final List<FloatBuffer> outputBuffers = new ArrayList<>();

    public OrtEvalProbe(Path model, Dataset data, int batch) throws OrtException {
        this.model = OrtModel.open(model, SessionSettings.defaults().withDevice(Device.CPU));
        this.data = data;
        this.batch = batch;
        try {
            premadeTensors();
        } catch (OrtException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Writes a ResNet-9 at {@code width} with libtorch's initial weights to {@code file}, naming
     * {@code classes} (the evaluator checks them against the data's); an int8 export is calibrated
     * on {@code calibration}.
     */
    public static void export(double width, ExportOptions options, List<String> classes, Dataset calibration, Path file) {
        Natives.load();
        ModelSpec spec = new ModelSpec(width, ModelSpec.cifar10(width).logitScale(), classes.size());
        torch.manual_seed(4);
        try (LayerNet net = LayerNet.customResNet(spec)) {
            ObjectNode meta = Checkpoint.newMeta();
            new ModelInfo(spec, classes, ModelInfo.CIFAR10_MEAN, ModelInfo.CIFAR10_STD).writeTo(meta);
            Checkpoint checkpoint = new Checkpoint(meta, net.exportState());
            if (options.precision() == ExportOptions.Precision.INT8) {
                OnnxExporter.exportInt8(checkpoint, options, (model, points) -> ActivationRanges.measure(model, points, calibration,
                        calibration.size(), SessionSettings.defaults().withDevice(Device.CPU)), file);
            } else {
                OnnxExporter.export(checkpoint, options, file);
            }
        }
    }

    public String ortVersion() {
        return model.environment().getVersion();
    }

    private void premadeTensors() throws OrtException {
        Normalize norm = new Normalize(model.mean(), model.std());
        int k = model.classCount();
        for (int start = 0; start < data.size(); start += batch) {
            int n = Math.min(batch, data.size() - start);
            ByteBuffer in = ByteBuffer.allocateDirect(n * Dataset.IMAGE_BYTES * 4).order(ByteOrder.nativeOrder());
            norm.toFloats(data.pixelData(), (long) start * Dataset.IMAGE_BYTES, n, 32, 32, MemorySegment.ofBuffer(in), 0, Layout.NCHW);
            inputs.add(OnnxTensor.createTensor(model.environment(), in.asFloatBuffer(), new long[] {n, 3, 32, 32}));
            FloatBuffer out = ByteBuffer.allocateDirect(n * k * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            outputBuffers.add(out);
            outputs.add(OnnxTensor.createTensor(model.environment(), out, new long[] {n, k}));
        }
    }

    /** The evaluation pipeline: images/s and per-batch latency. */
    public EvalResult pipelined() throws Exception {
        return OrtEvaluator.evaluate(model, data, new OrtEvaluator.Options(batch, Tta.NONE, true));
    }

    /** {@code session.run} over the pre-made tensors into pinned outputs; images/s. */
    public double bare() throws OrtException {
        long t0 = System.nanoTime();
        for (int b = 0; b < inputs.size(); b++) {
            model.run(inputs.get(b), outputs.get(b));
        }
        return Stats.perSecond(data.size(), System.nanoTime() - t0);
    }

    /** Both paths classify the images the same way (up to {@link #MAX_DISAGREEMENT} near-ties). */
    public void check() throws Exception {
        EvalResult r = OrtEvaluator.evaluate(model, data, new OrtEvaluator.Options(batch, Tta.NONE, true));
        bare();
        int differ = 0;
        int classes = model.classCount();
        for (int b = 0; b < outputBuffers.size(); b++) {
            FloatBuffer out = outputBuffers.get(b);
            for (int i = 0; i < out.capacity() / classes; i++) {
                int best = 0;
                for (int k = 1; k < classes; k++) {
                    best = out.get(i * classes + k) > out.get(i * classes + best) ? k : best;
                }
                differ += best == r.predictions()[b * batch + i] ? 0 : 1;
            }
        }
        Checks.that(r.images() == data.size() && differ <= MAX_DISAGREEMENT * data.size(),
                "pipelined ONNX Runtime evaluation agrees with bare session.run (" + differ + " of " + data.size() + " differ)");
    }

    @Override
    public void close() {
        inputs.forEach(OnnxTensor::close);
        outputs.forEach(OnnxTensor::close);
        model.close();
    }
}
