package dev.superconv.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.InputFormat;
import dev.superconv.export.onnx.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtModelTest {
    @TempDir
    Path dir;

    /** A host without a GPU, whatever machine the test runs on. */
    private GpuProbe noGpu() {
        return new GpuProbe(dir.resolve("no-such-root"), List.of("/usr/lib"));
    }

    private static SessionSettings cpu() {
        return SessionSettings.defaults().withDevice(Device.CPU).withIntraOpThreads(1);
    }

    @Test
    void readsFloatInputAndMetadata() throws Exception {
        Path f = TestModels.linear(dir, InputFormat.FLOAT_NCHW, 1).file();
        try (OrtModel m = OrtModel.open(f, cpu(), noGpu())) {
            assertEquals(InputFormat.FLOAT_NCHW, m.inputFormat());
            assertEquals("input", m.inputName());
            assertEquals("logits", m.outputName());
            assertEquals(-1, m.fixedBatch());
            assertEquals(TestModels.CLASSES, m.classes());
            assertTrue(m.hasClassNames());
            assertArrayEquals(new float[] {0.4914f, 0.4822f, 0.4465f}, m.mean());
            assertArrayEquals(new float[] {0.247f, 0.2435f, 0.2616f}, m.std());
            assertFalse(m.outputsProbabilities());
            assertFalse(m.ttaInGraph());
            assertEquals(Device.CPU, m.device());
            assertEquals("", m.deviceNote());
        }
    }

    @Test
    void readsUint8InputWithoutNeedingMeanStd() throws Exception {
        Map<String, String> meta = TestModels.standardMetadata();
        meta.remove("mean");
        meta.remove("std");
        meta.put("output", "probs");
        meta.put("tta", "flip");
        Path f = TestModels.linear(dir.resolve("u8.onnx"), InputFormat.UINT8_NHWC, 2, meta, 8).file();
        try (OrtModel m = OrtModel.open(f, cpu(), noGpu())) {
            assertEquals(InputFormat.UINT8_NHWC, m.inputFormat());
            assertEquals(8, m.fixedBatch());
            assertEquals(0, m.mean().length);
            assertTrue(m.outputsProbabilities());
            assertTrue(m.ttaInGraph());
        }
    }

    @Test
    void withoutClassNamesClassesAreNumbered() throws Exception {
        Map<String, String> meta = TestModels.standardMetadata();
        meta.remove("classes");
        Path f = TestModels.linear(dir.resolve("anon.onnx"), InputFormat.FLOAT_NCHW, 3, meta, -1).file();
        try (OrtModel m = OrtModel.open(f, cpu(), noGpu())) {
            assertEquals(List.of("0", "1", "2", "3"), m.classes());
            assertFalse(m.hasClassNames());
        }
    }

    @Test
    void missingModelIsBadInput() {
        BadInputException e = assertThrows(BadInputException.class, () -> OrtModel.open(dir.resolve("nope.onnx"), cpu(), noGpu()));
        assertTrue(e.getMessage().contains("nope.onnx") && e.getMessage().contains("no such file"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> OrtModel.open(dir, cpu(), noGpu()));
        assertTrue(e.getMessage().contains("not a readable file"), e.getMessage());
    }

    @Test
    void notOnnxAndTruncatedModelsAreBadInput() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.onnx"), "this is not a model\n");
        BadInputException e = assertThrows(BadInputException.class, () -> OrtModel.open(text, cpu(), noGpu()));
        assertTrue(e.getMessage().startsWith("model " + text + ": not a loadable ONNX model"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        byte[] good = Files.readAllBytes(TestModels.linear(dir, InputFormat.FLOAT_NCHW, 4).file());
        Path cut = Files.write(dir.resolve("cut.onnx"), Arrays.copyOf(good, good.length / 2));
        e = assertThrows(BadInputException.class, () -> OrtModel.open(cut, cpu(), noGpu()));
        assertTrue(e.getMessage().contains("not a loadable ONNX model"), e.getMessage());

        Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        assertThrows(BadInputException.class, () -> OrtModel.open(empty, cpu(), noGpu()));
    }

    @Test
    void wrongInputShapeOrTypeIsBadInput() throws Exception {
        Path mnist = TestModels.passThrough(dir.resolve("mnist.onnx"), TensorProto.DataType.FLOAT, -1, 1, 28, 28);
        BadInputException e = assertThrows(BadInputException.class, () -> OrtModel.open(mnist, cpu(), noGpu()));
        // issue 18: any fixed square size S is taken; the message names the rule
        assertTrue(e.getMessage().contains("[-1, 1, 28, 28]") && e.getMessage().contains("N×3×S×S"), e.getMessage());

        Path nhwcFloat = TestModels.passThrough(dir.resolve("nhwc.onnx"), TensorProto.DataType.FLOAT, -1, 32, 32, 3);
        assertThrows(BadInputException.class, () -> OrtModel.open(nhwcFloat, cpu(), noGpu()));

        Path nchwBytes = TestModels.passThrough(dir.resolve("u8nchw.onnx"), TensorProto.DataType.UINT8, -1, 3, 32, 32);
        assertThrows(BadInputException.class, () -> OrtModel.open(nchwBytes, cpu(), noGpu()));
    }

    @Test
    void inconsistentMetadataIsBadInput() throws Exception {
        Map<String, String> noStd = TestModels.standardMetadata();
        noStd.remove("std");
        Path a = TestModels.linear(dir.resolve("nostd.onnx"), InputFormat.FLOAT_NCHW, 5, noStd, -1).file();
        BadInputException e = assertThrows(BadInputException.class, () -> OrtModel.open(a, cpu(), noGpu()));
        assertTrue(e.getMessage().contains("mean'/'std"), e.getMessage());

        Map<String, String> three = TestModels.standardMetadata();
        three.put("classes", "[\"a\",\"b\",\"c\"]");
        Path b = TestModels.linear(dir.resolve("three.onnx"), InputFormat.FLOAT_NCHW, 6, three, -1).file();
        e = assertThrows(BadInputException.class, () -> OrtModel.open(b, cpu(), noGpu()));
        assertTrue(e.getMessage().contains("4 classes but the metadata names 3"), e.getMessage());

        Map<String, String> badJson = TestModels.standardMetadata();
        badJson.put("mean", "0.5");
        Path c = TestModels.linear(dir.resolve("badjson.onnx"), InputFormat.FLOAT_NCHW, 7, badJson, -1).file();
        e = assertThrows(BadInputException.class, () -> OrtModel.open(c, cpu(), noGpu()));
        assertTrue(e.getMessage().contains("'mean'"), e.getMessage());
    }

    @Test
    void closedModelIsNeverUsed() throws Exception {
        Path f = TestModels.linear(dir, InputFormat.FLOAT_NCHW, 8).file();
        OrtModel m = OrtModel.open(f, cpu(), noGpu());
        try (BatchSlot slot = new BatchSlot(m, 2)) {
            slot.run(2);
        }
        m.close();
        m.close(); // idempotent
        assertTrue(m.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, m::environment);
        assertTrue(e.getMessage().contains("is closed"));
        assertThrows(IllegalStateException.class, () -> new BatchSlot(m, 2));
        assertThrows(IllegalStateException.class, () -> m.run(null, null));
    }

    @Test
    void cudaWithoutGpuIsAClearError() throws Exception {
        Path f = TestModels.linear(dir, InputFormat.FLOAT_NCHW, 9).file();
        BadInputException e = assertThrows(BadInputException.class,
                () -> OrtModel.open(f, cpu().withDevice(Device.CUDA), noGpu()));
        assertTrue(e.getMessage().startsWith("--device cuda: no usable GPU"), e.getMessage());
        assertTrue(e.getMessage().contains("CUDA 12") && e.getMessage().contains("cuDNN 9"), e.getMessage());
    }

    @Test
    void autoWithoutGpuRunsOnCpuWithANote() throws Exception {
        Path f = TestModels.linear(dir, InputFormat.FLOAT_NCHW, 10).file();
        try (OrtModel m = OrtModel.open(f, cpu().withDevice(Device.AUTO), noGpu())) {
            assertEquals(Device.CPU, m.device());
            assertTrue(m.deviceNote().startsWith("device auto: running on CPU (no NVIDIA GPU"), m.deviceNote());
        }
    }

    @Test
    void settingsRejectNegativeThreadsAndParseNames() {
        assertThrows(BadInputException.class, () -> SessionSettings.defaults().withIntraOpThreads(-1));
        assertEquals(Device.CUDA, Device.parse("CUDA"));
        assertThrows(BadInputException.class, () -> Device.parse("tpu"));
        assertEquals(SessionSettings.OptLevel.BASIC, SessionSettings.OptLevel.parse("basic"));
        assertThrows(BadInputException.class, () -> SessionSettings.OptLevel.parse("max"));
    }
}
