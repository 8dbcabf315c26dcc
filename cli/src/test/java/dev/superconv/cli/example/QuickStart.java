package dev.superconv.cli.example;

import dev.superconv.bindings.Trainer;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.DataSets;
import dev.superconv.core.data.Splits;
import dev.superconv.core.model.Tta;
import dev.superconv.core.recipe.ConfigJson;
import dev.superconv.core.recipe.Presets;
import dev.superconv.core.recipe.TrainConfig;
import dev.superconv.core.report.ReportWriter;
import dev.superconv.export.ExportOptions;
import dev.superconv.export.OnnxExporter;
import dev.superconv.inference.EvalResult;
import dev.superconv.inference.OrtEvaluator;
import dev.superconv.inference.OrtModel;
import dev.superconv.inference.SessionSettings;
import java.nio.file.Path;
import java.util.Map;

/** data → train → export → evaluate → report. Usage: QuickStart DATA OUT_DIR TRAIN_IMAGES */
public final class QuickStart {
    public static void main(String[] args) throws Exception {
        Splits data = DataSets.load(args[0]);               // ImageFolder, CIFAR binary folder, .tar.gz or "cifar10"
        Path out = Path.of(args[1]);

        TrainConfig config = ConfigJson.withOverrides(Presets.QUICK.config(), Map.of(   // fields by their config.json path
                "limits.train", Integer.parseInt(args[2]),          // a fixed subset, for a fast demo
                "batch_size", 256,
                "epochs", 1.0));
        Trainer.Result trained = Trainer.train(config, data, out, false, new Trainer.Listener() {});

        Path onnx = out.resolve("model.onnx");
        OnnxExporter.export(Checkpoint.read(trained.files().best()), ExportOptions.DEFAULT, onnx);

        try (OrtModel model = OrtModel.open(onnx, SessionSettings.defaults())) {
            EvalResult eval = OrtEvaluator.evaluate(model, data.test(), new OrtEvaluator.Options(256, Tta.NONE, true));
            System.out.printf("libtorch %.2f %%, ONNX Runtime %.2f %% (%.0f img/s)%n",
                    100 * trained.bestTestAcc(), 100 * eval.accuracy(), eval.imagesPerSecond());
        }
        System.out.println("report: " + ReportWriter.write(out));
    }
}
