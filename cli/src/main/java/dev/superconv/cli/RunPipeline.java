package dev.superconv.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.bindings.TorchEvaluator;
import dev.superconv.core.recipe.TrainConfig;
import dev.superconv.bindings.Trainer;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.data.Splits;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.OutputKind;
import dev.superconv.core.model.Tta;
import dev.superconv.core.report.Predictions;
import dev.superconv.core.report.ReportWriter;
import dev.superconv.core.run.RunDirectory;
import dev.superconv.export.ExportOptions;
import dev.superconv.export.OnnxExporter;
import dev.superconv.inference.EvalResult;
import dev.superconv.inference.OrtEvaluator;
import dev.superconv.inference.OrtModel;
import dev.superconv.inference.SessionSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The stages of {@code superconv run} after training: export best.pt twice (fp32 BN-folded float
 * input; uint8-NHWC raw-pixel input), evaluate both with ONNX Runtime on the run's test split,
 * evaluate best.pt with libtorch in fp32 on the same images, refuse a mismatch, write the report.
 */
final class RunPipeline {
    /** ONNX Runtime and libtorch fp32 must agree on accuracy to this (0.05 %). */
    static final double MAX_ACCURACY_GAP = 0.0005;

    /** Everything the closing summary shows; also written as summary.json. */
    record Summary(Path runDir, double onnxAccuracy, double onnxUint8Accuracy, double torchAccuracy, double trainLoggedBestAccuracy,
                   int testImages, double trainImagesPerSecond, double trainEpochSeconds, double onnxImagesPerSecond, Map<String, Double> stageSeconds,
                   Path model, Path modelUint8, Path report) {
        void print(PrintWriter w) {
            w.println();
            w.println("== superconv run: summary ==");
            w.printf(Locale.ROOT, "accuracy      %.2f %% (ONNX Runtime, %d test images); libtorch fp32 %.2f %%; uint8-input model %.2f %%%n",
                    100 * onnxAccuracy, testImages, 100 * torchAccuracy, 100 * onnxUint8Accuracy);
            w.printf(Locale.ROOT, "              best test accuracy logged during training %.2f %%%n", 100 * trainLoggedBestAccuracy);
            StringBuilder stages = new StringBuilder();
            stageSeconds.forEach((k, v) -> {
                stages.append(String.format(Locale.ROOT, "%s %.1f s", k, v));
                if (k.equals("train")) {
                    // the train stage's wall time holds the per-epoch test passes too; the epochs alone are what trains
                    stages.append(String.format(Locale.ROOT, " (epochs %.1f s, test passes %.1f s)", trainEpochSeconds, Math.max(0, v - trainEpochSeconds)));
                }
                stages.append(", ");
            });
            w.println("time          " + stages.substring(0, Math.max(0, stages.length() - 2)));
            w.printf(Locale.ROOT, "speed         training %.0f img/s; ONNX Runtime inference %.0f img/s%n", trainImagesPerSecond, onnxImagesPerSecond);
            w.println("model         " + model + "  (uint8 input: " + modelUint8 + ")");
            w.println("report        " + report);
        }

        ObjectNode toJson() {
            ObjectNode j = new ObjectMapper().createObjectNode();
            j.put("run_dir", runDir.toString());
            j.put("onnx_accuracy", onnxAccuracy);
            j.put("onnx_uint8_accuracy", onnxUint8Accuracy);
            j.put("torch_fp32_accuracy", torchAccuracy);
            j.put("train_logged_best_accuracy", trainLoggedBestAccuracy);
            j.put("test_images", testImages);
            j.put("train_images_per_second", trainImagesPerSecond);
            j.put("train_epoch_seconds", trainEpochSeconds);
            j.put("onnx_images_per_second", onnxImagesPerSecond);
            ObjectNode s = j.putObject("stage_seconds");
            stageSeconds.forEach(s::put);
            j.put("model", model.toString());
            j.put("model_uint8", modelUint8.toString());
            j.put("report", report.toString());
            return j;
        }
    }

    private final RunDirectory files;
    private final TrainConfig config;
    private final Splits splits;
    private final StageTimer timer;
    private final PrintWriter out;
    private final PrintWriter err;

    RunPipeline(RunDirectory files, TrainConfig config, Splits splits, StageTimer timer, PrintWriter out, PrintWriter err) {
        this.files = files;
        this.config = config;
        this.splits = splits;
        this.timer = timer;
        this.out = out;
        this.err = err;
    }

    Summary afterTraining(Trainer.Result trained) {
        Path dir = files.dir();
        Checkpoint best = Checkpoint.read(files.best());
        // the same fixed subset the trainer tested on, so every accuracy below is over the same images
        Dataset test = splits.test().limit(config.limits().test());
        Path model = files.model();
        Path modelUint8 = files.modelUint8();
        timer.time("export", () -> {
            OnnxExporter.export(best, ExportOptions.DEFAULT, model);
            OnnxExporter.export(best, new ExportOptions(true, InputFormat.UINT8_NHWC, OutputKind.LOGITS,
                    Tta.NONE, ExportOptions.Precision.FP32), modelUint8);
            return null;
        });
        say("exported " + model + " and " + modelUint8);
        EvalResult onnx = timer.time("onnx-eval", () -> ortEval(model, test));
        EvalResult onnxUint8 = timer.time("onnx-eval", () -> ortEval(modelUint8, test));
        TorchEvaluator.Result torch = timer.time("torch-eval",
                () -> TorchEvaluator.evaluate(best, test, config.runtime().device(), config.runtime().threads(), false));
        say(String.format(Locale.ROOT, "ONNX Runtime %.2f %% (uint8 model %.2f %%), libtorch fp32 %.2f %% on %d test images",
                100 * onnx.accuracy(), 100 * onnxUint8.accuracy(), 100 * torch.accuracy(), test.size()));
        crossCheck(List.of(new OnnxAccuracy(model, onnx.accuracy()), new OnnxAccuracy(modelUint8, onnxUint8.accuracy())), torch.accuracy());
        Path report = timer.time("report", () -> {
            Predictions.of(test, onnx.predictions(), onnx.confidence()).write(files.predictions());
            return ReportWriter.write(dir, test);
        });
        Summary s = new Summary(dir, onnx.accuracy(), onnxUint8.accuracy(), torch.accuracy(), trained.bestTestAcc(), test.size(),
                trained.imagesPerSecond(), trained.trainSeconds(), onnx.imagesPerSecond(), timer.ordered(), model, modelUint8, report);
        files.writeSummary(s.toJson());
        return s;
    }

    private static EvalResult ortEval(Path model, Dataset test) {
        try (OrtModel m = OrtModel.open(model, SessionSettings.defaults())) {
            return OrtEvaluator.evaluate(m, test, new OrtEvaluator.Options(256, Tta.NONE, true));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("ONNX Runtime evaluation of " + model + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * A mismatch means the export or the inference path is wrong: an error, not a warning. Then no
     * file keeps a model's name: each export becomes NAME.rejected.onnx, kept rather than deleted
     * because it is what a bug report needs, and under that name nothing takes it for the run's model.
     */
    static void crossCheck(List<OnnxAccuracy> exports, double torchAcc) {
        List<String> mismatches = new ArrayList<>();
        for (OnnxAccuracy export : exports) {
            if (Math.abs(export.accuracy() - torchAcc) > MAX_ACCURACY_GAP) {
                mismatches.add(String.format(Locale.ROOT, "ONNX model %s: ONNX Runtime accuracy %.4f %% differs from libtorch's %.4f %% by more than 0.05 %%",
                        export.model(), 100 * export.accuracy(), 100 * torchAcc));
            }
        }
        try {
            List<String> kept = new ArrayList<>();
            for (OnnxAccuracy export : exports) {
                Path model = export.model();
                if (mismatches.isEmpty()) {
                    Files.deleteIfExists(rejected(model)); // left by an earlier failed try of this run
                } else {
                    kept.add(Files.move(model, rejected(model), StandardCopyOption.REPLACE_EXISTING).getFileName().toString());
                }
            }
            if (!mismatches.isEmpty()) {
                throw new IllegalStateException(String.join("; ", mismatches) + "; the exports are kept as " + String.join(" and ", kept));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set aside the rejected ONNX models: " + e.getMessage(), e);
        }
    }

    record OnnxAccuracy(Path model, double accuracy) {}

    static Path rejected(Path model) {
        String name = model.getFileName().toString();
        return model.resolveSibling(name.substring(0, name.length() - ".onnx".length()) + ".rejected.onnx");
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }
}
