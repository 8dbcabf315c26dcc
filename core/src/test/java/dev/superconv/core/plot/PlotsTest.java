package dev.superconv.core.plot;

import static dev.superconv.core.plot.PngAssert.assertPlot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.superconv.core.data.Dataset;
import dev.superconv.core.metrics.Confusion;
import dev.superconv.core.metrics.LrFinderResult;
import dev.superconv.core.metrics.LrFinderRun;
import dev.superconv.core.metrics.LrRange;
import dev.superconv.core.report.EpochMetrics;
import java.awt.Dimension;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {
    static final List<String> CIFAR = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    @TempDir
    Path dir;

    static List<EpochMetrics> epochs(int n) {
        List<EpochMetrics> list = new ArrayList<>();
        for (int e = 1; e <= n; e++) {
            double lr = e <= n / 3 ? 0.4 * e / (n / 3.0) : 0.4 * (n - e + 1) / (n - n / 3.0);
            list.add(new EpochMetrics(e, lr, 2.0 / e, 1 - 0.8 / e, 2.2 / e, 1 - 0.9 / e, 30 + e, 1500 + e));
        }
        return list;
    }

    @Test
    void trainingCurves() throws Exception {
        Path png = dir.resolve("curves.png");
        TrainingCurvesPlot.write(epochs(8), png);
        assertPlot(png, TrainingCurvesPlot.WIDTH, TrainingCurvesPlot.HEIGHT);
    }

    @Test
    void trainingCurvesOfASingleEpoch() throws Exception {
        Path png = dir.resolve("one.png");
        TrainingCurvesPlot.write(epochs(1), png);
        assertPlot(png, TrainingCurvesPlot.WIDTH, TrainingCurvesPlot.HEIGHT);
        assertThrows(IllegalArgumentException.class, () -> TrainingCurvesPlot.write(List.of(), dir.resolve("none.png")));
    }

    @Test
    void confusionHeatMapAndBars() throws Exception {
        Random rng = new Random(1);
        int n = 2000;
        int[] labels = new int[n];
        int[] preds = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
            preds[i] = rng.nextDouble() < 0.8 ? labels[i] : rng.nextInt(10);
        }
        Path png = dir.resolve("confusion.png");
        ConfusionPlot.write(Confusion.of(CIFAR, labels, preds), png);
        assertPlot(png, ConfusionPlot.WIDTH, ConfusionPlot.HEIGHT);
    }

    static Dataset randomImages(int n, long seed) {
        Random rng = new Random(seed);
        byte[] px = new byte[n * Dataset.IMAGE_BYTES];
        rng.nextBytes(px);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
        }
        return new Dataset(px, labels, CIFAR);
    }

    @Test
    void misclassifiedGridShowsTheMostConfidentMistakesUpscaledNearest() throws Exception {
        Dataset data = randomImages(40, 2);
        int[] preds = new int[40];
        double[] conf = new double[40];
        for (int i = 0; i < 40; i++) {
            preds[i] = i % 3 == 0 ? (data.label(i) + 1) % 10 : data.label(i);
            conf[i] = 0.3 + 0.01 * i;
        }
        // Wrong: i = 0, 3, ..., 39 (14 images); most confident first → 39, 36, 33, ...
        assertEquals(List.of(39, 36, 33), MisclassifiedGrid.select(data, preds, conf, 3));
        Path png = dir.resolve("wrong.png");
        int shown = MisclassifiedGrid.write(data, preds, conf, 10, png);
        assertEquals(10, shown);
        Dimension d = MisclassifiedGrid.size(10);
        assertEquals(new Dimension(8 * MisclassifiedGrid.CELL_WIDTH, MisclassifiedGrid.TITLE_HEIGHT + 2 * MisclassifiedGrid.CELL_HEIGHT), d);
        BufferedImage img = assertPlot(png, d.width, d.height);
        // The first cell is image 39; every source pixel becomes a SCALE×SCALE block of the same colour.
        int side = Dataset.HEIGHT * MisclassifiedGrid.SCALE;
        int left = (MisclassifiedGrid.CELL_WIDTH - side) / 2;
        int top = MisclassifiedGrid.TITLE_HEIGHT;
        for (int[] rc : new int[][] {{0, 0}, {5, 17}, {31, 31}}) {
            int o = 39 * Dataset.IMAGE_BYTES + (rc[0] * Dataset.WIDTH + rc[1]) * 3;
            int rgb = (data.pixels()[o] & 0xFF) << 16 | (data.pixels()[o + 1] & 0xFF) << 8 | data.pixels()[o + 2] & 0xFF;
            for (int dy = 0; dy < MisclassifiedGrid.SCALE; dy++) {
                for (int dx = 0; dx < MisclassifiedGrid.SCALE; dx++) {
                    int x = left + rc[1] * MisclassifiedGrid.SCALE + dx;
                    int y = top + rc[0] * MisclassifiedGrid.SCALE + dy;
                    assertEquals(Integer.toHexString(rgb), Integer.toHexString(img.getRGB(x, y) & 0xFFFFFF), "pixel " + rc[0] + "," + rc[1]);
                }
            }
        }
    }

    @Test
    void misclassifiedGridWithNoMistakesStillRenders() throws Exception {
        Dataset data = randomImages(10, 3);
        int[] preds = new int[10];
        for (int i = 0; i < 10; i++) {
            preds[i] = data.label(i);
        }
        Path png = dir.resolve("none.png");
        assertEquals(0, MisclassifiedGrid.write(data, preds, new double[10], 16, png));
        Dimension d = MisclassifiedGrid.size(0);
        assertEquals(javax.imageio.ImageIO.read(png.toFile()).getWidth(), d.width);
    }

    @Test
    void lrFinderPlot() throws Exception {
        // Synthetic curve: flat, falls between 1e-4 and 1e-1, then blows up.
        LrRange range = new LrRange(1e-7, 10, 100, LrRange.Mode.EXPONENTIAL);
        Random rng = new Random(4);
        LrFinderResult r = LrFinderRun.run(range, 0.98, 4, (i, lr) -> {
            double x = Math.log10(lr);
            double base = x < -4 ? 2.3 : x < -1 ? 2.3 - 0.6 * (x + 4) : 0.5 + 3 * Math.pow(x + 1, 2) * 10;
            return base + 0.05 * rng.nextGaussian();
        });
        Path png = dir.resolve("lr_find.png");
        LrFinderPlot.write(r, png);
        assertPlot(png, LrFinderPlot.WIDTH, LrFinderPlot.HEIGHT);
    }

    @Test
    void lrSweepPlot() throws Exception {
        Path png = dir.resolve("lr_sweep.png");
        LrSweepPlot.write(new double[] {0.4, 0.1, 0.2, 0.8}, new double[] {0.71, 0.62, 0.68, 0.55}, 5, png);
        assertPlot(png, LrSweepPlot.WIDTH, LrSweepPlot.HEIGHT);
        assertThrows(IllegalArgumentException.class, () -> LrSweepPlot.write(new double[] {0.1}, new double[0], 5, png));
    }
}
