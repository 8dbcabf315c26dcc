package dev.superconv.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ValueRange;
import dev.superconv.export.ExportOptions.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export --precision int8 --out new/dir/m.onnx} creates new/dir, as the fp32 export does. */
class Int8ExportNewFolderTest {
    @TempDir Path tmp;

    @Test
    void anInt8ExportCreatesTheFoldersOfItsOutput() throws Exception {
        Checkpoint c = RandomCheckpoints.create(0.0625, 3, 0.3);
        ExportOptions int8 = ExportOptions.DEFAULT.withPrecision(Precision.INT8);
        Path out = tmp.resolve("new").resolve("dir").resolve("m.onnx");
        List<String> measured = new ArrayList<>();
        OnnxExporter.Result r = OnnxExporter.exportInt8(c, int8, (graph, points) -> {
            measured.addAll(points);
            Map<String, ValueRange> ranges = new HashMap<>();
            points.forEach(p -> ranges.put(p, new ValueRange(-1, 3)));
            return ranges;
        }, out);
        assertEquals(out, r.file());
        assertEquals(OnnxExporter.activationPoints(c, int8), measured);
        assertEquals(List.of(), OnnxInspector.inspect(out).problems());
        try (Stream<Path> files = Files.list(out.getParent())) {
            assertEquals(List.of(out), files.toList(), "only the model: the calibration graph is gone");
        }
    }
}
