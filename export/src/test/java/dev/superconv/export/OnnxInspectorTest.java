package dev.superconv.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.model.ModelSpec.TensorSpec;
import dev.superconv.core.model.InputFormat;
import dev.superconv.export.ExportOptions.Precision;
import dev.superconv.export.OnnxInspector.Inspection;
import dev.superconv.export.OnnxInspector.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxInspectorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ModelSpec SPEC = ModelSpec.cifar10(0.25);

    @TempDir
    Path dir;

    @Test
    void describesAFoldedExport() throws Exception {
        Checkpoint c = RandomCheckpoints.create(0.25, 3, 0.0);
        Path file = dir.resolve("m.onnx");
        OnnxExporter.Result written = OnnxExporter.export(c, ExportOptions.DEFAULT, file);
        Inspection i = OnnxInspector.inspect(file);

        assertEquals(Files.size(file), i.bytes());
        assertEquals(written.bytes(), i.bytes());
        assertEquals(8, i.irVersion());
        assertEquals(Map.of("", 17L), i.opsets());
        assertEquals(List.of(new Value("input", "float32", List.of("N", "3", "32", "32"))), i.inputs());
        assertEquals(List.of(new Value("logits", "float32", List.of("N", "10"))), i.outputs());
        // all gammas positive: every BN folds, even through the max-pools
        assertEquals(Map.of("Conv", 8, "Relu", 8, "MaxPool", 4, "Add", 2, "Flatten", 1, "Gemm", 1, "Identity", 1), i.nodeCounts());
        long folded = SPEC.convBlocks().stream().mapToLong(b -> (long) b.out() * b.in() * 9 + b.out()).sum() + 10L * SPEC.channels(3);
        assertEquals(folded, i.parameters());
        assertEquals(written.parameters(), i.parameters());
        assertEquals(written.nodes(), i.nodes());
        assertEquals(List.of(), i.problems());
        assertEquals(RandomCheckpoints.CIFAR10, Arrays.asList(JSON.readValue(i.metadata().get("classes"), String[].class)));
        assertEquals(0.4914, JSON.readTree(i.metadata().get("mean")).get(0).asDouble(), 1e-6);
        assertEquals(0.2616, JSON.readTree(i.metadata().get("std")).get(2).asDouble(), 1e-6);
        assertEquals("client", i.metadata().get("normalization"));
        assertEquals("random-3", JSON.readTree(i.metadata().get("training")).get("run").asText());
        assertTrue(i.toText().contains("input      float32[N, 3, 32, 32]"), i.toText());
        assertTrue(i.toText().contains("structure: valid"), i.toText());
    }

    @Test
    void unfoldedParameterCountIsTheWholeState() {
        Checkpoint c = RandomCheckpoints.create(0.25, 3, 0.3);
        Path file = dir.resolve("m.onnx");
        OnnxExporter.export(c, ExportOptions.DEFAULT.withFoldBn(false).withInput(InputFormat.UINT8_NHWC).withPrecision(Precision.FP16), file);
        Inspection i = OnnxInspector.inspect(file);
        long state = SPEC.stateTensors().stream().mapToLong(TensorSpec::numel).sum();
        assertEquals(state + 6, i.parameters()); // + per-channel normalisation offset and factor
        assertEquals(List.of(new Value("input", "uint8", List.of("N", "32", "32", "3"))), i.inputs());
        assertEquals(8, (int) i.nodeCounts().get("BatchNormalization"));
        assertEquals("in-graph", i.metadata().get("normalization"));
        assertEquals("fp16", i.metadata().get("precision"));
    }

    @Test
    void jsonCarriesTheSameFacts() throws Exception {
        Path file = dir.resolve("m.onnx");
        OnnxExporter.export(RandomCheckpoints.create(0.25, 3, 0.3), ExportOptions.DEFAULT, file);
        JsonNode j = JSON.readTree(OnnxInspector.inspect(file).toJson().toString());
        assertEquals(8, j.get("ir_version").asInt());
        assertEquals(17, j.get("opsets").get("ai.onnx").asInt());
        assertEquals("N", j.get("inputs").get(0).get("shape").get(0).asText());
        assertEquals(8, j.get("node_counts").get("Conv").asInt());
        assertTrue(j.get("valid").asBoolean());
        assertEquals(j.get("metadata").get("classes").asText(), JSON.writeValueAsString(RandomCheckpoints.CIFAR10));
    }

    @Test
    void badFilesAreBadInputNamingTheFile() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.onnx"), "this is not a model\n");
        BadInputException e = assertThrows(BadInputException.class, () -> OnnxInspector.inspect(text));
        assertTrue(e.getMessage().startsWith("ONNX model " + text + ": not an ONNX"), e.getMessage());

        Path full = dir.resolve("full.onnx");
        OnnxExporter.export(RandomCheckpoints.create(0.25, 3, 0.3), ExportOptions.DEFAULT, full);
        byte[] bytes = Files.readAllBytes(full);
        Path half = Files.write(dir.resolve("half.onnx"), Arrays.copyOf(bytes, bytes.length / 2));
        e = assertThrows(BadInputException.class, () -> OnnxInspector.inspect(half));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        e = assertThrows(BadInputException.class, () -> OnnxInspector.inspect(empty));
        assertTrue(e.getMessage().contains("not an ONNX model"), e.getMessage());

        e = assertThrows(BadInputException.class, () -> OnnxInspector.inspect(dir.resolve("missing.onnx")));
        assertTrue(e.getMessage().endsWith("missing.onnx: no such file"), e.getMessage());
    }
}
