package dev.superconv.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.superconv.core.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void namesEveryFileOfARun() {
        RunDirectory run = new RunDirectory(dir);
        List<String> names = List.of(run.config(), run.metrics(), run.best(), run.last(), run.lastPrevious(), run.predictions(),
                run.plots(), run.report(), run.model(), run.modelUint8(), run.summary()).stream().map(p -> dir.relativize(p).toString()).toList();
        assertEquals(List.of("config.json", "metrics.jsonl", "best.pt", "last.pt", "last.pt.prev", "predictions.csv", "plots",
                "report.html", "model.onnx", "model-uint8.onnx", "summary.json"), names);
        assertEquals("best.pt, last.pt, metrics.jsonl, config.json, report.html", run.trainingFileNames());
    }

    @Test
    void theLockIsTheRunsDotLock() throws Exception {
        try (RunLock lock = new RunDirectory(dir).lock(m -> {})) {
            assertTrue(Files.isRegularFile(dir.resolve(".lock")));
        }
        assertFalse(Files.exists(dir.resolve(".lock")));
    }

    @Test
    void configAndSummaryRoundTripAndBadConfigIsOneClearError() throws Exception {
        RunDirectory run = new RunDirectory(dir);
        BadInputException missing = assertThrows(BadInputException.class, run::readConfig);
        assertEquals(dir.resolve("config.json") + ": no such file (not a training run directory?)", missing.getMessage());
        ObjectMapper json = new ObjectMapper();
        run.writeConfig(json.readTree("{\"data\": \"cifar10\", \"train\": {\"epochs\": 3}}"));
        assertEquals(3, run.readTrainSettings().path("epochs").asInt());
        assertEquals("cifar10", run.readDataSpec());
        run.writeSummary(json.readTree("{\"onnx_accuracy\": 0.9}"));
        assertEquals(0.9, json.readTree(run.summary().toFile()).path("onnx_accuracy").asDouble());
        Files.writeString(run.config(), "[1, 2]");
        assertEquals(run.config() + ": not a JSON object", assertThrows(BadInputException.class, run::readConfig).getMessage());
        Files.writeString(run.config(), "{oops");
        assertTrue(assertThrows(BadInputException.class, run::readConfig).getMessage().startsWith(run.config() + ": not valid JSON ("));
    }
}
