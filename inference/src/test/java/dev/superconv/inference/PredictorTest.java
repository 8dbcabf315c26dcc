package dev.superconv.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.InputFormat;
import java.awt.image.BufferedImage;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictorTest {
    @TempDir
    Path dir;

    /** Writes a 32×32 PNG holding {@code rgb} (HWC bytes). */
    static void writePng(Path file, byte[] rgb, int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < w * h; p++) {
            img.setRGB(p % w, p / w, (rgb[3 * p] & 0xFF) << 16 | (rgb[3 * p + 1] & 0xFF) << 8 | (rgb[3 * p + 2] & 0xFF));
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    private record Row(Path path, List<String> labels, double[] probs, String error) {}

    private static final class Collect implements Predictor.Rows {
        final List<Row> rows = new ArrayList<>();

        @Override
        public void prediction(Path file, List<String> labels, double[] probabilities) {
            rows.add(new Row(file, labels, probabilities, ""));
        }

        @Override
        public void error(Path file, String reason) {
            rows.add(new Row(file, List.of(), new double[0], reason));
        }
    }

    private OrtModel open(InputFormat format) throws Exception {
        Path f = TestModels.linear(dir, format, 31).file();
        return OrtModel.open(f, SessionSettings.defaults().withDevice(Device.CPU).withIntraOpThreads(1), new GpuProbe(dir.resolve("x"), List.of()));
    }

    @Test
    void rowsComeInInputOrderWithSoftmaxTopKAndPerFileErrors() throws Exception {
        int n = 23;
        byte[] px = TestModels.randomImages(n, 32);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path f = dir.resolve("img/" + String.format("%03d", i) + ".png");
            writePng(f, java.util.Arrays.copyOfRange(px, i * TestModels.PIXELS, (i + 1) * TestModels.PIXELS), 32, 32);
            files.add(f);
        }
        Path big = dir.resolve("big.png");
        writePng(big, new byte[40 * 30 * 3], 40, 30);
        Path broken = Files.writeString(dir.resolve("broken.png"), "not an image");
        List<Path> args = new ArrayList<>(files.subList(0, 10));
        args.add(big);
        args.add(dir.resolve("missing.png"));
        args.addAll(files.subList(10, n));
        args.add(broken);

        try (OrtModel m = open(InputFormat.FLOAT_NCHW)) {
            Collect out = new Collect();
            Predictor.Summary s = Predictor.run(m, ImageFiles.walk(args), new Predictor.Options(4, 3, false, 2), out);
            assertEquals(n + 3, s.files());
            assertEquals(3, s.failed());
            assertEquals(args.size(), out.rows.size());
            for (int r = 0; r < args.size(); r++) {
                assertEquals(args.get(r), out.rows.get(r).path(), "row " + r);
            }
            assertTrue(out.rows.get(10).error().contains("40×30") && out.rows.get(10).error().contains("--resize"), out.rows.get(10).error());
            assertEquals("no such file or folder", out.rows.get(11).error());
            assertTrue(out.rows.get(args.size() - 1).error().startsWith("cannot decode image") || out.rows.get(args.size() - 1).error().startsWith("not a PNG"),
                    out.rows.get(args.size() - 1).error());

            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = i;
            }
            float[][] ref = Reference.scores(m, px, idx, new boolean[n]);
            for (int i = 0; i < n; i++) {
                Row row = out.rows.get(i < 10 ? i : i + 2);
                double[] p = new double[4];
                for (int c = 0; c < 4; c++) {
                    p[c] = ref[i][c];
                }
                Scores.softmax(p);
                int[] top = Scores.topK(p, 3);
                assertEquals(3, row.labels().size());
                for (int j = 0; j < 3; j++) {
                    assertEquals(TestModels.CLASSES.get(top[j]), row.labels().get(j), "file " + i);
                    assertEquals(p[top[j]], row.probs()[j], 1e-6);
                }
                assertTrue(row.probs()[0] >= row.probs()[1] && row.probs()[1] >= row.probs()[2]);
            }
        }
    }

    @Test
    void resizeTurnsOtherSizesIntoPredictionsAndFoldersAreWalked() throws Exception {
        writePng(dir.resolve("d/a/one.png"), TestModels.randomImages(1, 33), 32, 32);
        writePng(dir.resolve("d/b/two.PNG"), TestModels.randomImages(1, 34), 32, 32);
        byte[] large = new byte[200 * 120 * 3];
        new java.util.SplittableRandom(35).nextBytes(large);
        writePng(dir.resolve("d/large.png"), large, 200, 120);
        Files.writeString(dir.resolve("d/notes.txt"), "ignored: not an image name");
        try (OrtModel m = open(InputFormat.UINT8_NHWC)) {
            Collect out = new Collect();
            Predictor.Summary s = Predictor.run(m, ImageFiles.walk(List.of(dir.resolve("d"))), new Predictor.Options(2, 10, true, 1), out);
            assertEquals(3, s.files());
            assertEquals(0, s.failed());
            for (Row r : out.rows) {
                assertEquals(4, r.labels().size(), "top-k is capped at the class count");
                double sum = 0;
                for (double p : r.probs()) {
                    sum += p;
                }
                assertEquals(1, sum, 1e-9);
            }
        }
    }

    @Test
    void aStreamOfOnlyBrokenFilesEndsWithErrorRows() throws Exception {
        List<Path> args = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            args.add(Files.writeString(dir.resolve("bad" + i + ".jpg"), "x"));
        }
        try (OrtModel m = open(InputFormat.FLOAT_NCHW)) {
            Collect out = new Collect();
            Predictor.Summary s = Predictor.run(m, ImageFiles.walk(args), new Predictor.Options(3, 1, false, 2), out);
            assertEquals(50, s.files());
            assertEquals(50, s.failed());
            assertEquals(args, out.rows.stream().map(Row::path).toList());
        }
    }

    @Test
    void writerFormatsCsvAndJsonLines() throws Exception {
        StringWriter csv = new StringWriter();
        PredictionWriter w = new PredictionWriter(csv, PredictionWriter.Format.CSV, 2);
        w.prediction(Path.of("a,b.png"), List.of("cat", "dog"), new double[] {0.75, 0.125});
        w.error(Path.of("c.png"), "image is 40×30, expected 32×32 (use --resize)");
        assertEquals("path,label_1,prob_1,label_2,prob_2,error\n"
                + "\"a,b.png\",cat,0.750000,dog,0.125000,\n"
                + "c.png,,,,,\"image is 40×30, expected 32×32 (use --resize)\"\n", csv.toString());

        StringWriter jsonl = new StringWriter();
        PredictionWriter j = new PredictionWriter(jsonl, PredictionWriter.Format.JSONL, 2);
        j.prediction(Path.of("a.png"), List.of("cat", "dog"), new double[] {0.75, 0.125});
        j.error(Path.of("c.png"), "broken");
        assertEquals("{\"path\":\"a.png\",\"labels\":[\"cat\",\"dog\"],\"probabilities\":[0.75,0.125]}\n"
                + "{\"path\":\"c.png\",\"error\":\"broken\"}\n", jsonl.toString());
        assertThrows(BadInputException.class, () -> PredictionWriter.Format.parse("xml"));
    }

    @Test
    void badOptionsAreBadInput() {
        assertThrows(BadInputException.class, () -> new Predictor.Options(0, 3, false, 1));
        assertThrows(BadInputException.class, () -> new Predictor.Options(8, 0, false, 1));
    }

    @Test
    void walkIsLazyAndReportsMissingPaths() throws Exception {
        writePng(dir.resolve("w/x.jpg.png"), TestModels.randomImages(1, 36), 32, 32);
        Path single = dir.resolve("single.png");
        writePng(single, TestModels.randomImages(1, 37), 32, 32);
        Iterator<ImageFiles.Entry> it = ImageFiles.walk(List.of(dir.resolve("nope"), dir.resolve("w"), single, dir.resolve("w")));
        ImageFiles.Entry first = it.next();
        assertTrue(first.failed());
        assertEquals(dir.resolve("w/x.jpg.png"), it.next().path());
        assertEquals(single, it.next().path());
        assertEquals(dir.resolve("w/x.jpg.png"), it.next().path());
        assertTrue(!it.hasNext());
    }
}
