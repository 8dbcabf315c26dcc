package dev.superconv.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.onnxruntime.OnnxTensor;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.Tta;
import java.lang.foreign.ValueLayout;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchSlotTest {
    @TempDir
    Path dir;

    private OrtModel open(InputFormat format) throws Exception {
        Path f = TestModels.linear(dir, format, 11).file();
        return OrtModel.open(f, SessionSettings.defaults().withDevice(Device.CPU).withIntraOpThreads(1), new GpuProbe(dir.resolve("x"), List.of()));
    }

    @Test
    void inputTensorsWrapTheSlotMemoryWithoutACopy() throws Exception {
        try (OrtModel m = open(InputFormat.FLOAT_NCHW); BatchSlot slot = new BatchSlot(m, 4)) {
            OnnxTensor full = slot.inputTensor(4);
            OnnxTensor tail = slot.inputTensor(3);
            assertFalse(full.ownsBuffer());
            // written after the tensors were made: visible through them only if they share the memory
            for (int i = 0; i < 4 * TestModels.PIXELS; i++) {
                slot.input().setAtIndex(ValueLayout.JAVA_FLOAT, i, i * 0.25f);
            }
            FloatBuffer seen = full.getFloatBuffer();
            FloatBuffer seenTail = tail.getFloatBuffer();
            assertEquals(4 * TestModels.PIXELS, seen.remaining());
            assertEquals(3 * TestModels.PIXELS, seenTail.remaining());
            for (int i = 0; i < 4 * TestModels.PIXELS; i += 97) {
                assertEquals(i * 0.25f, seen.get(i));
                if (i < 3 * TestModels.PIXELS) {
                    assertEquals(i * 0.25f, seenTail.get(i));
                }
            }
        }
    }

    @Test
    void pinnedOutputsHoldOnnxRuntimesScoresForFullAndTailBatches() throws Exception {
        for (InputFormat format : InputFormat.values()) {
            try (OrtModel m = open(format); BatchSlot slot = new BatchSlot(m, 5)) {
                byte[] px = TestModels.randomImages(5, 12);
                Preprocessor pre = new Preprocessor(m);
                pre.write(px, 0, 5, Tta.View.IDENTITY, slot.input(), 0);
                for (int rows : new int[] {5, 2, 5, 2}) {
                    slot.run(rows);
                    int[] idx = new int[rows];
                    for (int i = 0; i < rows; i++) {
                        idx[i] = i;
                    }
                    float[][] want = Reference.scores(m, px, idx, new boolean[rows]);
                    FloatBuffer got = slot.scores(rows);
                    assertEquals(rows * 4, got.remaining());
                    for (int r = 0; r < rows; r++) {
                        float[] row = new float[4];
                        got.get(r * 4, row);
                        assertArrayEquals(want[r], row, format + " rows " + rows + " row " + r);
                    }
                }
            }
        }
    }
}
