package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    @TempDir
    Path dir;

    private Path exported() {
        Path out = dir.resolve("model.onnx");
        CliRunner.Result r = CliRunner.run("export", "--checkpoint", ExportCommandTest.randomCheckpoint(dir).toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        return out;
    }

    @Test
    void printsInterfaceOperatorsAndMetadata() {
        Path model = exported();
        CliRunner.Result r = CliRunner.run("inspect", model.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("ONNX IR 8, opset ai.onnx 17, producer superconv"), r.out());
        assertTrue(r.out().contains("input      float32[N, 3, 32, 32]"), r.out());
        assertTrue(r.out().contains("logits     float32[N, 10]"), r.out());
        assertTrue(r.out().contains("Conv 8"), r.out());
        assertTrue(r.out().contains("classes = [\"airplane\",\"automobile\""), r.out());
        assertTrue(r.out().contains("structure: valid"), r.out());
    }

    @Test
    void jsonIsMachineReadable() throws Exception {
        CliRunner.Result r = CliRunner.run("inspect", exported().toString(), "--json");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(17, j.get("opsets").get("ai.onnx").asInt());
        assertEquals("logits", j.get("outputs").get(0).get("name").asText());
        assertTrue(j.get("valid").asBoolean());
    }

    @Test
    void notAnOnnxFileIsOneLineExitTwo() throws Exception {
        Path text = Files.writeString(dir.resolve("readme.onnx"), "hello");
        CliRunner.Result r = CliRunner.run("inspect", text.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.errLines().get(0).startsWith("superconv: ONNX model " + text + ": not an ONNX"), r.toString());
        assertEquals(List.of(), List.of(r.out().lines().filter(l -> !l.isBlank()).toArray()));
    }
}
