package dev.superconv.cli;

import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.DataHome;
import dev.superconv.core.data.DataSpec;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.data.Split;
import dev.superconv.core.model.CliName;
import dev.superconv.core.model.OutputKind;
import dev.superconv.core.model.Tta;
import dev.superconv.export.ExportOptions;
import dev.superconv.core.model.InputFormat;
import dev.superconv.export.ExportOptions.Precision;
import dev.superconv.export.OnnxExporter;
import dev.superconv.inference.ActivationRanges;
import dev.superconv.core.model.Device;
import dev.superconv.inference.SessionSettings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code superconv export}: a checkpoint to an ONNX model that ONNX Runtime runs without superconv. */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Export a checkpoint to ONNX (IR 8, opset 17, dynamic batch N, class names and normalisation in the metadata).")
public final class ExportCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "CKPT", description = "superconv checkpoint (best.pt / last.pt).") Path checkpoint;
    @Option(names = "--out", required = true, paramLabel = "ONNX", description = "Model file to write (atomically).") Path out;
    @Option(names = "--fold-bn", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Fold BatchNorm into the convolutions (default on; --no-fold-bn keeps BatchNormalization nodes).") boolean foldBn;
    @Option(names = "--input", defaultValue = "float-nchw", paramLabel = "FORMAT",
            description = "float-nchw: normalised float32 (N,3,32,32); uint8-nhwc: raw pixels (N,32,32,3), normalised in the graph (default ${DEFAULT-VALUE}).") String input;
    @Option(names = "--output", defaultValue = "logits", paramLabel = "KIND", description = "logits or probs (softmax) (default ${DEFAULT-VALUE}).") String output;
    @Option(names = "--tta", defaultValue = "none", paramLabel = "TTA", description = "none, flip (average with the mirrored image) or flip-translate (airbench level 2: also the 1-pixel shifts and their mirrors), inside the graph (default ${DEFAULT-VALUE}).") String tta;
    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "P", description = "fp32, fp16 (fp16 weights and compute, fp32 I/O) or int8 (QDQ: uint8 activations calibrated on --calibration-data, int8 weights per channel, fp32 I/O) (default ${DEFAULT-VALUE}).") String precision;
    @Option(names = "--calibration-data", paramLabel = "SPEC",
            description = "int8: data set whose training images calibrate the activation ranges (any --data SPEC).") String calibrationData;
    @Option(names = "--calibration-images", paramLabel = "N", defaultValue = "512",
            description = "int8: calibration images, a fixed random subset of the training split (default ${DEFAULT-VALUE}).") int calibrationImages;

    @Override
    public Integer call() {
        ExportOptions options = new ExportOptions(foldBn,
                CliName.parse(InputFormat.class, "--input", input),
                CliName.parse(OutputKind.class, "--output", output),
                CliName.parse(Tta.class, "--tta", tta),
                CliName.parse(Precision.class, "--precision", precision));
        if (Files.isDirectory(out)) {
            throw new BadInputException("--out " + out + " is a directory; name the .onnx file to write");
        }
        if (out.toAbsolutePath().normalize().equals(checkpoint.toAbsolutePath().normalize())) {
            throw new BadInputException("--out " + out + " is the checkpoint itself; choose another file");
        }
        boolean int8 = options.precision() == Precision.INT8;
        if (int8 && calibrationData == null) {
            throw new BadInputException("--precision int8 needs --calibration-data SPEC (training images to measure activation ranges on)");
        }
        if (!int8 && calibrationData != null) {
            throw new BadInputException("--calibration-data applies to --precision int8 only");
        }
        if (calibrationImages < 1 || calibrationImages > 50_000) {
            throw new BadInputException("--calibration-images must be in 1..50000, got " + calibrationImages);
        }
        long start = System.nanoTime();
        Checkpoint ckpt = Checkpoint.read(checkpoint);
        OnnxExporter.Result r = int8
                ? OnnxExporter.exportInt8(ckpt, options, rangesOver(calibrationSet()), out)
                : OnnxExporter.export(ckpt, options, out);
        double seconds = (System.nanoTime() - start) / 1e9;
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "wrote %s: %,d bytes, %d nodes, %,d parameters (%s) in %.2f s%n",
                r.file(), r.bytes(), r.nodes(), r.parameters(), options, seconds);
        w.flush();
        return 0;
    }

    /** ONNX Runtime on the CPU measures the calibration graph's activation ranges over {@code images}. */
    static OnnxExporter.RangeMeter rangesOver(Dataset images) {
        return (model, points) -> ActivationRanges.measure(model, points, images, images.size(), SessionSettings.defaults().withDevice(Device.CPU));
    }

    private Dataset calibrationSet() {
        DataHome home = DataHome.standard();
        Dataset train = DataSpec.parse(calibrationData, home).load(Split.TRAIN, home.cache());
        if (train.size() < calibrationImages) {
            throw new BadInputException("--calibration-images " + calibrationImages + ": the training split of "
                    + calibrationData + " has only " + train.size() + " images");
        }
        return train.limit(calibrationImages);
    }
}
