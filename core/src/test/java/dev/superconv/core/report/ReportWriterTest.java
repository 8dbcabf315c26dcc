package dev.superconv.core.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.plot.PngAssert;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.swing.text.MutableAttributeSet;
import javax.swing.text.html.HTML;
import javax.swing.text.html.HTMLEditorKit;
import javax.swing.text.html.parser.ParserDelegator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
    static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    @TempDir
    Path run;

    void writeRun(int epochs) throws Exception {
        Files.writeString(run.resolve("config.json"), """
                {"name": "demo <run>", "seed": 42, "epochs": %d, "max_lr": 0.4,
                 "command": ["superconv", "train", "--data", "cifar10-jpeg:/data/x y", "--epochs", "%d"],
                 "classes": %s}
                """.formatted(epochs, epochs, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(CLASSES)));
        StringBuilder m = new StringBuilder();
        double[] testAcc = {0.41, 0.63, 0.58, 0.70, 0.69};
        for (int e = 1; e <= epochs; e++) {
            m.append("{\"epoch\": %d, \"lr\": %s, \"train_loss\": %s, \"train_acc\": %s, \"test_loss\": %s, \"test_acc\": %s, \"train_seconds\": 61.5, \"images_per_second\": 812.0, \"extra\": 1}\n"
                    .formatted(e, 0.1 * e, 2.0 / e, 0.5 + 0.05 * e, 2.2 / e, testAcc[e - 1]));
        }
        Files.writeString(run.resolve("metrics.jsonl"), m);
    }

    static Dataset testImages(int n) {
        Random rng = new Random(9);
        byte[] px = new byte[n * Dataset.IMAGE_BYTES];
        rng.nextBytes(px);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
        }
        return new Dataset(px, labels, CLASSES);
    }

    static Predictions predictionsFor(Dataset test) {
        int n = test.size();
        int[] labels = new int[n];
        int[] pred = new int[n];
        double[] conf = new double[n];
        for (int i = 0; i < n; i++) {
            labels[i] = test.label(i);
            pred[i] = i % 4 == 0 ? (labels[i] + 3) % 10 : labels[i];
            conf[i] = 0.5 + (i % 50) / 100.0;
        }
        return new Predictions(labels, pred, conf);
    }

    /** Parses the HTML with the JDK's HTML parser and collects tag counts and image sources. */
    static Map<String, List<String>> parse(String html) throws Exception {
        Map<String, List<String>> seen = new HashMap<>();
        new ParserDelegator().parse(new StringReader(html), new HTMLEditorKit.ParserCallback() {
            @Override
            public void handleStartTag(HTML.Tag t, MutableAttributeSet a, int pos) {
                seen.computeIfAbsent(t.toString(), k -> new ArrayList<>()).add("");
            }

            @Override
            public void handleSimpleTag(HTML.Tag t, MutableAttributeSet a, int pos) {
                Object src = a.getAttribute(HTML.Attribute.SRC);
                seen.computeIfAbsent(t.toString(), k -> new ArrayList<>()).add(src == null ? "" : src.toString());
            }
        }, true);
        return seen;
    }

    @Test
    void selfContainedReportWithAllPlotsInlined() throws Exception {
        writeRun(5);
        Dataset test = testImages(200);
        predictionsFor(test).write(run.resolve("predictions.csv"));
        Path report = ReportWriter.write(run, test);
        assertEquals(run.resolve("report.html"), report);
        String html = Files.readString(report);

        Map<String, List<String>> tags = parse(html);
        List<String> imgs = tags.get("img");
        assertEquals(3, imgs.size(), "curves, confusion, misclassified");
        int[][] sizes = {{1200, 420}, {1200, 600}, {8 * 184, 0}};
        for (int i = 0; i < imgs.size(); i++) {
            String src = imgs.get(i);
            assertTrue(src.startsWith("data:image/png;base64,"), src.substring(0, Math.min(40, src.length())));
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(src.substring(src.indexOf(',') + 1))));
            assertNotNull(img, "inlined image " + i + " decodes");
            assertEquals(sizes[i][0], img.getWidth(), "image " + i + " width");
            PngAssert.assertNotBlank(img);
        }
        assertTrue(tags.get("table").size() >= 3, "summary, per-class and epoch tables");
        assertEquals(10 + 5, count(html, "<tr><td>"), "10 class rows + 5 epoch rows");
        assertEquals(1, count(html, "<tr class=\"total\">"));
        assertFalse(Pattern.compile("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//").matcher(html).find(), "no network reference");
        assertFalse(Pattern.compile("(?i)url\\(|@import|<script|<link").matcher(html).find(), "no external resource");

        assertTrue(html.contains("superconv train --data &#39;cifar10-jpeg:/data/x y&#39; --epochs 5"), "exact command, shell-quoted and escaped");
        assertTrue(html.contains("demo &lt;run&gt;"), "config values are escaped");
        assertTrue(html.contains("69.00 %") && html.contains("(epoch 5)"), "final accuracy");
        assertTrue(html.contains("70.00 % (epoch 4)"), "best accuracy and its epoch");
        assertTrue(html.contains("5m 08s"), "training time 5 × 61.5 s");
        // Per-class: image i has label i % 10 and is wrong (predicted label + 3) when i % 4 == 0, which
        // happens for half the images of even classes and never for odd ones; 20 images per class.
        assertTrue(html.contains("<tr><td>airplane</td><td>20</td><td>10</td><td>50.00 %</td><td>cat (10)</td></tr>"), "per-class row");
        assertTrue(html.contains("<tr><td>automobile</td><td>20</td><td>20</td><td>100.00 %</td><td>–</td></tr>"), "per-class row");
        assertTrue(html.contains("<tr class=\"total\"><td>all</td><td>200</td><td>150</td><td>75.00 %</td>"), "total row");
        assertTrue(Files.isRegularFile(run.resolve("plots/confusion.png")));
    }

    static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void withoutPredictionsTheReportSaysSoAndStillHasTheCurves() throws Exception {
        writeRun(3);
        Files.write(run.resolve("lr_find.png"), Files.readAllBytes(writeTinyPlot()));
        String html = Files.readString(ReportWriter.write(run));
        List<String> imgs = parse(html).get("img");
        assertEquals(2, imgs.size(), "curves + the run's extra lr_find.png");
        assertTrue(html.contains("No predictions.csv"));
        assertTrue(html.contains("<h2>lr_find.png</h2>"));
        assertFalse(html.contains("Per-class accuracy</h2>"));
    }

    private Path writeTinyPlot() throws Exception {
        Path p = run.resolve("tmp-src.png");
        dev.superconv.core.plot.LrSweepPlot.write(new double[] {0.1, 0.2}, new double[] {0.5, 0.6}, 2, p);
        Path out = Files.createTempFile("plot", ".png");
        Files.move(p, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return out;
    }

    @Test
    void mismatchedTestImagesAreNotedNotDrawn() throws Exception {
        writeRun(2);
        predictionsFor(testImages(100)).write(run.resolve("predictions.csv"));
        String html = Files.readString(ReportWriter.write(run, testImages(90)));
        assertTrue(html.contains("do not match predictions.csv"));
        assertEquals(2, parse(html).get("img").size());
    }

    @Test
    void predictionsOfTheEarlierFourColumnFormatStillMakeTheReport() throws Exception {
        writeRun(2);
        StringBuilder old = new StringBuilder("index,label,predicted,confidence\n");
        for (int i = 0; i < 20; i++) {
            old.append(i).append(',').append(i % 10).append(',').append(i % 5).append(",0.5\n");
        }
        Files.writeString(run.resolve("predictions.csv"), old);
        String html = Files.readString(ReportWriter.write(run));
        assertTrue(html.contains("Per-class accuracy</h2>"), html);
        assertTrue(html.contains("automobile"), "class names from the run's config.json");
    }

    @Test
    void classNamesComeFromThePredictionsWhenTheRunDidNotRecordThem() throws Exception {
        writeRun(2);
        Files.writeString(run.resolve("config.json"), "{\"name\": \"no classes\"}");
        List<String> names = List.of("alpha", "beta", "gamma");
        new Predictions(new int[] {0, 1, 2}, new int[] {0, 2, 2}, new double[] {0.9, 0.6, 0.7}, names).write(run.resolve("predictions.csv"));
        String html = Files.readString(ReportWriter.write(run));
        assertTrue(html.contains("gamma"), html);
        assertFalse(html.contains("class 2"), html);
    }

    @Test
    void badRunDirectoriesAreOneLineErrors() throws Exception {
        var e = assertThrows(BadInputException.class, () -> ReportWriter.write(run.resolve("nope")));
        assertTrue(e.getMessage().contains("no such run directory"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> ReportWriter.write(run));
        assertTrue(e.getMessage().contains("config.json: no such file"), e.getMessage());
        Files.writeString(run.resolve("config.json"), "[1, 2");
        e = assertThrows(BadInputException.class, () -> ReportWriter.write(run));
        assertTrue(e.getMessage().contains("config.json: not valid JSON"), e.getMessage());
        Files.writeString(run.resolve("config.json"), "{}");
        e = assertThrows(BadInputException.class, () -> ReportWriter.write(run));
        assertTrue(e.getMessage().contains("metrics.jsonl: no such file"), e.getMessage());
        Files.writeString(run.resolve("metrics.jsonl"), "{\"epoch\": 1, \"lr\": 0.1}\n");
        e = assertThrows(BadInputException.class, () -> ReportWriter.write(run));
        assertTrue(e.getMessage().contains("metrics.jsonl line 1: not a metrics record"), e.getMessage());
        Files.writeString(run.resolve("metrics.jsonl"), "\n");
        e = assertThrows(BadInputException.class, () -> ReportWriter.write(run));
        assertTrue(e.getMessage().contains("no finished epoch"), e.getMessage());
        for (BadInputException x : List.of(e)) {
            assertEquals(1, x.getMessage().lines().count());
        }
        assertFalse(Files.exists(run.resolve("report.html")), "no partial report");
    }

    @Test
    void predictionsRoundTripAndRejectGarbage() throws Exception {
        Predictions p = predictionsFor(testImages(30));
        Path csv = run.resolve("p.csv");
        p.write(csv);
        Predictions back = Predictions.read(csv);
        assertArrayEquals(p.labels(), back.labels());
        assertArrayEquals(p.predicted(), back.predicted());
        assertArrayEquals(p.confidence(), back.confidence(), 0);
        Files.writeString(csv, "index,label,predicted,confidence\n0,1,2,0.5\n1,x,2,0.5\n");
        var e = assertThrows(BadInputException.class, () -> Predictions.read(csv));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        Files.writeString(csv, "a,b\n");
        assertThrows(BadInputException.class, () -> Predictions.read(csv));
    }

    @Test
    void predictionsFromSoftmaxTakeTheProbabilityOfThePredictedClass() {
        Dataset data = testImages(3);
        int k = CLASSES.size();
        float[] probs = new float[3 * k];
        probs[0 * k + 0] = 0.7f;
        probs[1 * k + 4] = 0.55f;
        probs[2 * k + 2] = 0.9f;
        Predictions p = Predictions.of(data, new int[] {0, 4, 2}, probs);
        assertArrayEquals(new int[] {0, 1, 2}, p.labels());
        assertArrayEquals(new double[] {0.7f, 0.55f, 0.9f}, p.confidence(), 0);
        assertThrows(IllegalArgumentException.class, () -> Predictions.of(data, new int[] {0, 1}, probs));
    }
}
