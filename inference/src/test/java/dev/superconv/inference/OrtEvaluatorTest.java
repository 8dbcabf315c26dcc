package dev.superconv.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.Tta;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtEvaluatorTest {
    private static final int N = 103;

    @TempDir
    Path dir;

    private OrtModel open(InputFormat format, long seed) throws Exception {
        Path f = TestModels.linear(dir, format, seed).file();
        return OrtModel.open(f, SessionSettings.defaults().withDevice(Device.CPU).withIntraOpThreads(1), new GpuProbe(dir.resolve("x"), List.of()));
    }

    /** Reference predictions: ONNX Runtime on independently preprocessed images, argmax here. */
    private static int[] referencePredictions(OrtModel m, byte[] px, boolean flip) throws Exception {
        int[] idx = new int[N];
        for (int i = 0; i < N; i++) {
            idx[i] = i;
        }
        float[][] plain = Reference.scores(m, px, idx, new boolean[N]);
        boolean[] all = new boolean[N];
        java.util.Arrays.fill(all, true);
        float[][] mirrored = flip ? Reference.scores(m, px, idx, all) : plain;
        int[] pred = new int[N];
        for (int i = 0; i < N; i++) {
            double[] avg = new double[m.classCount()];
            for (int c = 0; c < avg.length; c++) {
                avg[c] = (plain[i][c] + (double) mirrored[i][c]) / 2;
            }
            pred[i] = Scores.argmax(avg);
        }
        return pred;
    }

    /** Labels = reference prediction for 2 of every 3 images, a wrong class for the third: accuracy is known. */
    private static Dataset dataWithKnownAccuracy(byte[] px, int[] ref) {
        byte[] labels = new byte[N];
        for (int i = 0; i < N; i++) {
            labels[i] = (byte) (i % 3 == 0 ? (ref[i] + 1) % 4 : ref[i]);
        }
        return new Dataset(px, labels, TestModels.CLASSES);
    }

    private static int expectedCorrect() {
        int correct = 0;
        for (int i = 0; i < N; i++) {
            correct += i % 3 == 0 ? 0 : 1;
        }
        return correct;
    }

    @Test
    void accuracyAndConfusionMatchAnIndependentReference() throws Exception {
        for (InputFormat format : InputFormat.values()) {
            try (OrtModel m = open(format, 21)) {
                byte[] px = TestModels.randomImages(N, 22);
                int[] ref = referencePredictions(m, px, false);
                Dataset data = dataWithKnownAccuracy(px, ref);
                for (int batch : new int[] {1, 16, 256}) {
                    EvalResult r = OrtEvaluator.evaluate(m, data, new OrtEvaluator.Options(batch, Tta.NONE, true));
                    assertArrayEquals(ref, r.predictions(), format + " batch " + batch);
                    assertEquals(N, r.images());
                    assertEquals(expectedCorrect(), r.confusion().correct());
                    assertEquals(expectedCorrect() / (double) N, r.accuracy(), 0);
                    for (int i = 0; i < N; i++) {
                        assertEquals(1, r.confusion().count(data.label(i), ref[i]) > 0 ? 1 : 0);
                    }
                    assertEquals(Math.min(batch, N), r.batchSize());
                    assertEquals((N + Math.min(batch, N) - 1) / Math.min(batch, N), r.latency().batches());
                    assertEquals(dev.superconv.core.model.Tta.NONE, r.tta());
                }
            }
        }
    }

    @Test
    void confidenceIsTheSoftmaxOfThePredictedClass() throws Exception {
        try (OrtModel m = open(InputFormat.FLOAT_NCHW, 23)) {
            byte[] px = TestModels.randomImages(N, 24);
            int[] ref = referencePredictions(m, px, false);
            EvalResult r = OrtEvaluator.evaluate(m, dataWithKnownAccuracy(px, ref), new OrtEvaluator.Options(32, Tta.NONE, true));
            int[] idx = {5};
            float[] s = Reference.scores(m, px, idx, new boolean[1])[0];
            double sum = 0;
            for (float v : s) {
                sum += Math.exp(v - s[ref[5]]);
            }
            assertEquals(1 / sum, r.confidence()[5], 1e-6);
        }
    }

    @Test
    void pipelinedRunGivesExactlyTheSequentialResult() throws Exception {
        try (OrtModel m = open(InputFormat.FLOAT_NCHW, 25)) {
            byte[] px = TestModels.randomImages(N, 26);
            Dataset data = dataWithKnownAccuracy(px, referencePredictions(m, px, false));
            EvalResult seq = OrtEvaluator.evaluate(m, data, new OrtEvaluator.Options(10, Tta.NONE, false));
            EvalResult pip = OrtEvaluator.evaluate(m, data, new OrtEvaluator.Options(10, Tta.NONE, true));
            assertArrayEquals(seq.predictions(), pip.predictions());
            assertArrayEquals(seq.confidence(), pip.confidence());
            for (int t = 0; t < 4; t++) {
                for (int p = 0; p < 4; p++) {
                    assertEquals(seq.confusion().count(t, p), pip.confusion().count(t, p));
                }
            }
        }
    }

    @Test
    void flipTtaAveragesEachImageWithItsMirror() throws Exception {
        for (InputFormat format : InputFormat.values()) {
            try (OrtModel m = open(format, 27)) {
                byte[] px = TestModels.randomImages(N, 28);
                int[] plain = referencePredictions(m, px, false);
                int[] ref = referencePredictions(m, px, true);
                Dataset data = dataWithKnownAccuracy(px, ref);
                EvalResult r = OrtEvaluator.evaluate(m, data, new OrtEvaluator.Options(16, Tta.FLIP, true));
                assertArrayEquals(ref, r.predictions(), format.toString());
                assertEquals(expectedCorrect(), r.confusion().correct());
                assertEquals(dev.superconv.core.model.Tta.FLIP, r.tta());
                int changed = 0;
                for (int i = 0; i < N; i++) {
                    changed += plain[i] != ref[i] ? 1 : 0;
                }
                assertTrue(changed > 0, "the mirror never changed a prediction: the test cannot tell TTA happened");
            }
        }
    }

    @Test
    void badRequestsAreBadInput() throws Exception {
        assertThrows(BadInputException.class, () -> new OrtEvaluator.Options(0, Tta.NONE, true));
        try (OrtModel m = open(InputFormat.FLOAT_NCHW, 29)) {
            Dataset other = new Dataset(new byte[TestModels.PIXELS], new byte[1], List.of("a", "b", "c", "d"));
            BadInputException e = assertThrows(BadInputException.class, () -> OrtEvaluator.evaluate(m, other, new OrtEvaluator.Options(8, Tta.NONE, true)));
            assertTrue(e.getMessage().contains("differ"), e.getMessage());
            Dataset fewer = new Dataset(new byte[TestModels.PIXELS], new byte[1], List.of("a", "b"));
            assertThrows(BadInputException.class, () -> OrtEvaluator.evaluate(m, fewer, new OrtEvaluator.Options(8, Tta.NONE, true)));
            Dataset empty = new Dataset(new byte[0], new byte[0], TestModels.CLASSES);
            assertThrows(BadInputException.class, () -> OrtEvaluator.evaluate(m, empty, new OrtEvaluator.Options(8, Tta.NONE, true)));
        }
    }
}
