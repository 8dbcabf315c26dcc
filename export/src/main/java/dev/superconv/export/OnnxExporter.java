package dev.superconv.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ExportProvenance;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.ModelMetadata;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.model.ValueRange;
import dev.superconv.export.onnx.GraphProto;
import dev.superconv.export.onnx.ModelProto;
import dev.superconv.export.onnx.OperatorSetIdProto;
import dev.superconv.export.onnx.StringStringEntryProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exports a superconv checkpoint to an ONNX model (IR 8, opset 17) that ONNX Runtime runs without
 * superconv: dynamic batch dimension {@code N}, input {@code input}, output {@code logits} or
 * {@code probs}, class names and normalisation in the metadata.
 */
public final class OnnxExporter {
    public static final long IR_VERSION = 8;
    public static final long OPSET = 17;
    /** Meta fields of the checkpoint that are the model description, not the training run. */
    private static final Set<String> MODEL_KEYS = Set.of("model", "classes", "mean", "std");
    private static final int MAX_TRAINING_FIELD_CHARS = 16384;

    private OnnxExporter() {}

    /** What was written. */
    public record Result(Path file, long bytes, int nodes, long parameters) {}

    /** Checks the checkpoint, builds the graph and writes {@code out} atomically (no partial file on failure). */
    public static Result export(Checkpoint checkpoint, ExportOptions options, Path out) {
        return export(checkpoint, options, Calibration.none(), out);
    }

    /**
     * As {@link #export(Checkpoint, ExportOptions, Path)}; an int8 export needs measured ranges for
     * every activation point, and {@link Calibration#measure()} writes the calibration graph instead.
     */
    public static Result export(Checkpoint checkpoint, ExportOptions options, Calibration calibration, Path out) {
        ModelInfo info = ModelInfo.of(checkpoint);
        CheckpointWeights.check(checkpoint, info);
        GraphBuilder graph = ResNetGraph.build(checkpoint, info, options, checked(options, calibration));
        GraphProto header = graph.header().toBuilder().setDocString(graphDoc(info, options)).build();
        ModelProto model = modelHeader(checkpoint, info, options);
        long bytes = OnnxWriter.write(out, model, header, graph.initializers());
        long parameters = graph.initializers().stream().mapToLong(OnnxExporter::weightCount).sum();
        return new Result(out, bytes, header.getNodeCount(), parameters);
    }

    /** Measures the value range of named outputs of a model file (ONNX Runtime, in the inference module). */
    @FunctionalInterface
    public interface RangeMeter {
        Map<String, ValueRange> measure(Path model, List<String> outputs);
    }

    /**
     * An int8 export in three steps: the calibration graph (fp32, int8 layout, every activation
     * point an output) goes to a hidden temporary file next to {@code out}, {@code meter} measures
     * each point's range on it, and the quantised graph is written from those ranges.
     */
    public static Result exportInt8(Checkpoint checkpoint, ExportOptions options, RangeMeter meter, Path out) {
        List<String> points = activationPoints(checkpoint, options);
        Path graph;
        try {
            Path dir = Files.createDirectories(out.toAbsolutePath().getParent()); // as the fp32 path's atomic write does
            graph = Files.createTempFile(dir, "." + out.getFileName() + ".", ".calibration.onnx");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the calibration model next to " + out, e);
        }
        Map<String, ValueRange> ranges;
        try {
            export(checkpoint, options, Calibration.measure(), graph);
            ranges = meter.measure(graph, points);
        } finally {
            try {
                Files.deleteIfExists(graph);
            } catch (IOException ignored) {
                // a leftover hidden temp file is harmless; the export's own outcome matters more
            }
        }
        return export(checkpoint, options, Calibration.measured(ranges), out);
    }

    /** The names of the int8 graph's activation points, in graph order: what a calibration measures. */
    public static List<String> activationPoints(Checkpoint checkpoint, ExportOptions options) {
        ModelInfo info = ModelInfo.of(checkpoint);
        CheckpointWeights.check(checkpoint, info);
        return ResNetGraph.activationPoints(checkpoint, info, options);
    }

    /** The whole model in memory (tests; small models). */
    public static ModelProto toProto(Checkpoint checkpoint, ExportOptions options) {
        return toProto(checkpoint, options, Calibration.none());
    }

    public static ModelProto toProto(Checkpoint checkpoint, ExportOptions options, Calibration calibration) {
        ModelInfo info = ModelInfo.of(checkpoint);
        CheckpointWeights.check(checkpoint, info);
        GraphProto graph = ResNetGraph.build(checkpoint, info, options, checked(options, calibration)).toProto().toBuilder()
                .setDocString(graphDoc(info, options)).build();
        return modelHeader(checkpoint, info, options).toBuilder().setGraph(graph).build();
    }

    /** Elements of a learned tensor (float, or int8 weights and int32 biases), 0 for quantisation scales and operands. */
    private static long weightCount(Initializer init) {
        return switch (init) {
            case Initializer.Floats f -> f.name().endsWith(".scale") ? 0 : f.values().length;
            case Initializer.Bytes b -> b.name().endsWith(".int8") ? b.values().length : 0;
            case Initializer.Int32s i -> i.name().endsWith(".int32") ? i.values().length : 0;
            case Initializer.Int64s ignored -> 0;
        };
    }

    private static Calibration checked(ExportOptions options, Calibration calibration) {
        boolean int8 = options.precision() == ExportOptions.Precision.INT8;
        if (int8 && calibration.stage() == Calibration.Stage.NONE) {
            throw new BadInputException("an int8 export needs activation ranges from a calibration set");
        }
        if (!int8 && calibration.stage() != Calibration.Stage.NONE) {
            throw new BadInputException("calibration applies to --precision int8 only, not " + options.precision().cliName());
        }
        return calibration;
    }

    static ModelProto modelHeader(Checkpoint checkpoint, ModelInfo info, ExportOptions options) {
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("superconv")
                .setProducerVersion(producerVersion())
                .setDomain("dev.superconv")
                .setModelVersion(1)
                .setDocString(modelDoc(info, options) + trainingDoc(checkpoint.meta()));
        metadata(checkpoint, info, options).forEach((k, v) ->
                m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    /** The exported-model contract: what clients need ({@link ModelMetadata}), then how the graph was built ({@link ExportProvenance}). */
    static Map<String, String> metadata(Checkpoint checkpoint, ModelInfo info, ExportOptions options) {
        Map<String, String> meta = new LinkedHashMap<>(new ModelMetadata(info.classes(), info.mean(), info.std(), options.output(), options.tta()).toMap());
        meta.putAll(ModelMetadata.inputSize(info.imageSize(), info.resizePolicy().id()));
        String quantization = options.precision() == ExportOptions.Precision.INT8
                ? "QDQ: uint8 activations per tensor (min-max calibrated), int8 weights per output channel (symmetric), int32 bias"
                : "";
        meta.putAll(new ExportProvenance(ExportProvenance.nameOf(info.model()), info.model().width(), info.model().logitScale(), options.input(), options.precision().cliName(), options.foldBn(),
                quantization, trainingRun(checkpoint.meta()).toString()).toMap());
        return meta;
    }

    /** The checkpoint's description of its training run: meta minus the model fields, small fields only. */
    private static ObjectNode trainingRun(ObjectNode meta) {
        ObjectNode run = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> e : meta.properties()) {
            if (!MODEL_KEYS.contains(e.getKey()) && e.getValue().toString().length() <= MAX_TRAINING_FIELD_CHARS) {
                run.set(e.getKey(), e.getValue());
            }
        }
        return run;
    }

    private static String modelDoc(ModelInfo info, ExportOptions options) {
        String net = info.model().architecture() == dev.superconv.core.model.ModelConfig.ArchitectureKind.CUSTOM_RESNET ? "Custom ResNet-9" : "airbench94 net";
        return "superconv " + net + ", width " + info.model().width() + " (" + info.architecture().parameterCount() + " parameters), "
                + info.numClasses() + " classes: " + String.join(", ", info.classes()) + ". "
                + inputDoc(info, options) + " Output '" + ResNetGraph.outputName(options) + "' (N, "
                + info.numClasses() + "). Export: " + options + ".";
    }

    /** " Trained 24 epochs (best test accuracy 0.9412 at epoch 23)." when the trainer recorded it. */
    private static String trainingDoc(ObjectNode meta) {
        JsonNode t = meta.path("training");
        if (!t.has("epochs_done")) {
            return "";
        }
        String best = t.has("best_test_acc") && t.path("best_test_acc").asDouble() >= 0
                ? String.format(java.util.Locale.ROOT, " (best test accuracy %.4f at epoch %d)", t.path("best_test_acc").asDouble(), t.path("best_epoch").asInt())
                : "";
        return " Trained " + t.path("epochs_done").asInt() + " epochs" + best + ".";
    }

    private static String inputDoc(ModelInfo info, ExportOptions options) {
        String stats = "mean " + java.util.Arrays.toString(info.mean()) + ", std " + java.util.Arrays.toString(info.std());
        int s = info.imageSize();
        // at 32 (CIFAR-10) the text stays what it was; other sizes say how images were brought to S×S
        String resize = s == ModelInfo.DEFAULT_IMAGE_SIZE ? "" : " Images were resized with " + info.resizePolicy().id() + " (shorter side to "
                + s + " by area filter, centre crop).";
        return options.input() == InputFormat.UINT8_NHWC
                ? "Input 'input' uint8 (N, " + s + ", " + s + ", 3) RGB pixels; normalised inside the graph (" + stats + ")." + resize
                : "Input 'input' float32 (N, 3, " + s + ", " + s + "): RGB/255 normalised per channel as (x - mean) / std, " + stats + "." + resize;
    }

    private static String graphDoc(ModelInfo info, ExportOptions options) {
        String layers = info.model().architecture() == dev.superconv.core.model.ModelConfig.ArchitectureKind.CUSTOM_RESNET
                ? "ResNet-9 (prep, layer1 + residual, layer2, layer3 + residual, max-pool, linear × "
                : "airbench94 (whitening conv, three conv groups, max-pool, linear × ";
        return layers + info.model().logitScale() + ", the scale folded into the linear weights); "
                + (options.foldBn() ? "BatchNorm folded into the convolutions" : "BatchNorm kept");
    }

    private static String producerVersion() {
        String v = OnnxExporter.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
