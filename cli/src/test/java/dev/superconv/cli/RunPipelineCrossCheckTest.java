package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run}'s ONNX-vs-libtorch accuracy check: a failed check leaves no file under a model's name. */
class RunPipelineCrossCheckTest {
    @TempDir Path run;

    private List<RunPipeline.OnnxAccuracy> exports(double fp32, double uint8) throws Exception {
        Files.writeString(run.resolve("model.onnx"), "fp32 export");
        Files.writeString(run.resolve("model-uint8.onnx"), "uint8 export");
        return List.of(new RunPipeline.OnnxAccuracy(run.resolve("model.onnx"), fp32),
                new RunPipeline.OnnxAccuracy(run.resolve("model-uint8.onnx"), uint8));
    }

    @Test
    void aMismatchRenamesBothExportsAndSaysSo() throws Exception {
        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> RunPipeline.crossCheck(exports(0.50, 0.60), 0.60));
        assertEquals("ONNX model " + run.resolve("model.onnx") + ": ONNX Runtime accuracy 50.0000 % differs from libtorch's 60.0000 % by more than 0.05 %"
                + "; the exports are kept as model.rejected.onnx and model-uint8.rejected.onnx", failed.getMessage());
        assertFalse(Files.exists(run.resolve("model.onnx")));
        assertFalse(Files.exists(run.resolve("model-uint8.onnx")), "the run failed: its other export is set aside too");
        assertEquals("fp32 export", Files.readString(run.resolve("model.rejected.onnx")));
        assertEquals("uint8 export", Files.readString(run.resolve("model-uint8.rejected.onnx")));
    }

    @Test
    void aPassingCheckKeepsTheModelsAndClearsAnEarlierRejection() throws Exception {
        assertThrows(IllegalStateException.class, () -> RunPipeline.crossCheck(exports(0.60, 0.50), 0.60));
        RunPipeline.crossCheck(exports(0.6004, 0.5996), 0.60); // within 0.05 %
        assertEquals("fp32 export", Files.readString(run.resolve("model.onnx")));
        assertEquals("uint8 export", Files.readString(run.resolve("model-uint8.onnx")));
        assertFalse(Files.exists(run.resolve("model.rejected.onnx")));
        assertFalse(Files.exists(run.resolve("model-uint8.rejected.onnx")));
    }
}
