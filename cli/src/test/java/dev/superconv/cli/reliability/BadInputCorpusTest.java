package dev.superconv.cli.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.superconv.cli.CliRunner;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.export.ExportOptions;
import dev.superconv.export.OnnxExporter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input through the real CLI (in-process): each case must exit with the stated code and print
 * exactly one line (plus picocli's "Try ... --help" / the "--verbose" hint) naming the thing and the
 * reason, with no stack trace and no file left behind in the output folder or next to the inputs.
 * {FX} is the folder of generated inputs, {OUT} a fresh, empty output folder per case, {URL} a local
 * HTTP server that serves bytes with the wrong MD5.
 */
class BadInputCorpusTest {
    // --logit-scale 0.125: the scale these runs were tuned with (s11 now has the seed's 1.0)
    private static final String TINY = "--width 0.0625 --batch-size 8 --threads 1 --precision fp32 --device cpu --epochs 1 --logit-scale 0.125";

    @TempDir static Path root;
    private static Path fx;
    private static HttpServer server;
    private static String savedCacheDir;

    @BeforeAll
    static void fixtures() throws IOException {
        savedCacheDir = System.getProperty("superconv.cache.dir");
        System.setProperty("superconv.cache.dir", root.resolve("cache").toString());
        fx = Files.createDirectories(root.resolve("fx"));
        SplittableRandom rng = new SplittableRandom(3);
        int[] grey = {128, 128, 128};

        Path good = Fixtures.imageFolder(fx.resolve("good"), 16, 4);
        Path cifar = Fixtures.cifarFolder(fx.resolve("cifar/cifar-10-batches-bin"), 20);
        Path archive = Fixtures.tarGz(fx.resolve("cifar.tar.gz"), cifar, "cifar-10-batches-bin");
        Fixtures.truncated(archive, fx.resolve("truncated.tar.gz"), Files.size(archive) / 2);
        byte[] noise = new byte[4096];
        rng.nextBytes(noise);
        Files.write(fx.resolve("corrupt.tar.gz"), noise);
        Files.write(fx.resolve("text.tar.gz"), Fixtures.gzip("just some text, not a tar".getBytes()));
        Fixtures.tarGz(fx.resolve("other.tar.gz"), good.resolve("train/c0"), "pictures");
        Files.writeString(fx.resolve("notes.txt"), "not a data set");

        Path shortBin = Fixtures.cifarFolder(fx.resolve("short-bin"), 20);
        Files.write(shortBin.resolve("data_batch_3.bin"), Arrays.copyOf(Fixtures.cifarRecords(20, 3), 20 * Fixtures.RECORD - 100));
        Path badLabel = Fixtures.cifarFolder(fx.resolve("bad-label"), 20);
        byte[] labels = Fixtures.cifarRecords(20, 2);
        labels[7 * Fixtures.RECORD] = 12;
        Files.write(badLabel.resolve("data_batch_2.bin"), labels);
        Path noTest = Fixtures.cifarFolder(fx.resolve("no-test"), 20);
        Files.delete(noTest.resolve("test_batch.bin"));
        Path nineClasses = Fixtures.cifarFolder(fx.resolve("nine-classes"), 20);
        Files.writeString(nineClasses.resolve("batches.meta.txt"), String.join("\n", Fixtures.CIFAR10.subList(0, 9)));
        Path emptyBin = Fixtures.cifarFolder(fx.resolve("empty-bin"), 20);
        Files.write(emptyBin.resolve("test_batch.bin"), new byte[0]);

        Path notImage = Fixtures.imageFolder(fx.resolve("not-image"), 4, 2);
        Files.writeString(notImage.resolve("train/c1/readme.png"), "this is text with an image name");
        Path wrongSize = Fixtures.imageFolder(fx.resolve("wrong-size"), 4, 2);
        Fixtures.png(wrongSize.resolve("test/c2/big.png"), 33, 32, grey, rng);
        Path oneClass = Fixtures.imageFolder(fx.resolve("one-class"), 4, 2);
        try (Stream<Path> walk = Files.walk(oneClass)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(oneClass) && !p.toString().contains("/c0") && !p.getFileName().toString().matches("train|test")) {
                    Files.delete(p);
                }
            }
        }
        Path emptyClass = Fixtures.imageFolder(fx.resolve("empty-class"), 4, 2);
        Files.createDirectories(emptyClass.resolve("train/c3"));
        Files.createDirectories(emptyClass.resolve("test/c3"));
        Path unknownClass = Fixtures.imageFolder(fx.resolve("unknown-class"), 4, 2);
        Fixtures.png(Files.createDirectories(unknownClass.resolve("test/zebra")).resolve("0.png"), 32, 32, grey, rng);
        Path noSplit = Fixtures.imageFolder(fx.resolve("no-test-split"), 4, 2);
        try (Stream<Path> walk = Files.walk(noSplit.resolve("test"))) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        Files.createDirectories(fx.resolve("no-classes/train"));
        Files.createDirectories(fx.resolve("no-classes/test"));
        Files.createDirectories(fx.resolve("a-folder.pt"));

        Checkpoint ck = Fixtures.randomCheckpoint(0.125, Fixtures.CIFAR10, 5);
        ck.write(fx.resolve("good.pt"));
        Fixtures.truncated(fx.resolve("good.pt"), fx.resolve("truncated.pt"), Files.size(fx.resolve("good.pt")) - 1000);
        byte[] flipped = Files.readAllBytes(fx.resolve("good.pt"));
        flipped[flipped.length / 2] ^= 1;
        Files.write(fx.resolve("bitflip.pt"), flipped);
        Files.writeString(fx.resolve("text.pt"), "{\"not\": \"a checkpoint\"}");
        OnnxExporter.export(ck, ExportOptions.DEFAULT, fx.resolve("good.onnx"));
        Fixtures.truncated(fx.resolve("good.onnx"), fx.resolve("truncated.onnx"), Files.size(fx.resolve("good.onnx")) / 3);
        Files.writeString(fx.resolve("text.onnx"), "definitely not protobuf\n");
        Fixtures.wrongInputShapeModel(fx.resolve("mnist.onnx"));
        Files.write(fx.resolve("empty.onnx"), new byte[0]);
        Fixtures.png(fx.resolve("image.png"), 32, 32, grey, rng);

        // a run directory whose last.pt is of another width than config.json's (and no last.pt.prev)
        Path run = fx.resolve("run-other-width");
        CliRunner.Result trained = CliRunner.run(args("train --data " + good + " --out " + run + " " + TINY));
        assertEquals(0, trained.exitCode(), trained.toString());
        Files.deleteIfExists(run.resolve("last.pt.prev"));
        Fixtures.randomCheckpoint(0.25, List.of("c0", "c1", "c2"), 9).write(run.resolve("last.pt"));
        // a run directory whose config.json names a schedule that does not exist
        Files.writeString(Files.createDirectories(fx.resolve("run-bad-schedule")).resolve("config.json"),
                Files.readString(run.resolve("config.json")).replace("\"one-cycle\"", "\"cosine\""));

        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/cifar-10-binary.tar.gz", exchange -> {
            byte[] body = Files.readAllBytes(archive); // a real archive, but not the official one: wrong MD5
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
        if (savedCacheDir == null) {
            System.clearProperty("superconv.cache.dir");
        } else {
            System.setProperty("superconv.cache.dir", savedCacheDir);
        }
    }

    /** The tiny-run flags, less those the case sets itself (picocli refuses a repeated option). */
    private static String tinyFlagsNotIn(String line) {
        List<String> given = List.of(args(line));
        String[] tiny = args(TINY);
        StringBuilder kept = new StringBuilder();
        for (int i = 0; i < tiny.length; i += 2) {
            if (!given.contains(tiny[i])) {
                kept.append(' ').append(tiny[i]).append(' ').append(tiny[i + 1]);
            }
        }
        return kept.toString();
    }

    private static String[] args(String line) {
        return line.trim().split("\\s+");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        # data sets
        corrupt tar.gz                  | data info --data {FX}/corrupt.tar.gz                                  | 2 | corrupt.tar.gz: truncated or corrupt archive
        truncated tar.gz                | data info --data {FX}/truncated.tar.gz                                | 2 | truncated.tar.gz
        gzip of text named .tar.gz      | data info --data {FX}/text.tar.gz                                     | 2 | text.tar.gz
        tar.gz without CIFAR files      | data info --data {FX}/other.tar.gz                                    | 2 | other.tar.gz: archive has no cifar-10-batches-bin
        .bin of wrong length            | data info --data {FX}/short-bin                                       | 2 | data_batch_3.bin: size 61360 bytes is not a multiple of 3073
        empty .bin                      | data info --data {FX}/empty-bin                                       | 2 | test_batch.bin: file is empty
        label out of range              | data info --data {FX}/bad-label                                       | 2 | data_batch_2.bin: record 7 has label 12
        missing test_batch.bin          | data info --data {FX}/no-test                                         | 2 | test_batch.bin: missing
        nine class names                | data info --data {FX}/nine-classes                                    | 2 | expected 10 class names, found 9
        non-image file in ImageFolder   | data info --data {FX}/not-image                                       | 2 | readme.png: cannot decode image
        images of mixed sizes           | data info --data {FX}/wrong-size                                      | 2 | big.png is 33×32); give --image-size N
        image size out of range         | data info --data {FX}/good --image-size 4                             | 2 | --image-size must be in 8..1024, got 4
        image size not a number         | data info --data {FX}/good --image-size big                           | 2 | --image-size: expected 'auto' or a number
        val split on a train/test tree  | data info --data {FX}/good --val-split 0.1                            | 2 | --val-split is for one folder of class folders
        val split out of range          | data info --data {FX}/good/train --val-split 1.5                      | 2 | --val-split must be in [0, 1)
        class folders without val split | data info --data {FX}/good/train                                      | 2 | give --val-split F
        one class only                  | data info --data {FX}/one-class                                       | 2 | only one class folder ('c0')
        ResNet at a size not 8·k        | train --data {FX}/wrong-size --image-size 36 --out {OUT}/run TINY     | 2 | multiple of 8
        empty class folder              | data info --data {FX}/empty-class                                     | 2 | c3: empty class folder
        class in test but not train     | data info --data {FX}/unknown-class                                   | 2 | zebra: class folder not in train
        missing test split              | data info --data {FX}/no-test-split                                   | 2 | missing split folder 'test'
        no class folders                | data info --data {FX}/no-classes                                      | 2 | no class folders
        no such data path               | data info --data {FX}/nowhere                                         | 2 | no such file or folder
        data is a text file             | data info --data {FX}/notes.txt                                       | 2 | notes.txt': unsupported file
        train on a non-image file       | train --data {FX}/not-image --out {OUT}/run TINY                      | 2 | readme.png: cannot decode image
        train on an empty class         | train --data {FX}/empty-class --out {OUT}/run TINY                    | 2 | c3: empty class folder
        wrong MD5 from a mirror         | data download --url {URL} --dir {OUT}/dl                              | 2 | has MD5
        download URL not http(s)        | data download --url ftp://127.0.0.1/c.tar.gz --dir {OUT}/dl           | 2 | expected an http:// or https:// address
        # checkpoints
        truncated checkpoint            | export --checkpoint {FX}/truncated.pt --out {OUT}/m.onnx              | 2 | truncated.pt: checksum mismatch
        one flipped bit in checkpoint   | export --checkpoint {FX}/bitflip.pt --out {OUT}/m.onnx                | 2 | bitflip.pt: checksum mismatch
        text named .pt                  | export --checkpoint {FX}/text.pt --out {OUT}/m.onnx                   | 2 | text.pt: not a superconv checkpoint
        checkpoint path is a folder     | export --checkpoint {FX}/a-folder.pt --out {OUT}/m.onnx               | 2 | a-folder.pt: cannot read
        missing checkpoint              | export --checkpoint {FX}/none.pt --out {OUT}/m.onnx                   | 2 | none.pt: no such file
        resume from another width       | train --resume --out {FX}/run-other-width                             | 2 | width
        resume of nothing               | train --resume --out {OUT}/run                                        | 2 | config.json: no such file (not a training run directory?)
        resume of an unknown schedule   | train --resume --out {FX}/run-bad-schedule                            | 2 | schedule has an unknown kind 'cosine'
        # ONNX models
        inspect truncated ONNX          | inspect {FX}/truncated.onnx                                           | 2 | truncated.onnx
        inspect text as ONNX            | inspect {FX}/text.onnx                                                | 2 | text.onnx
        inspect empty file              | inspect {FX}/empty.onnx                                               | 2 | empty.onnx
        inspect missing file            | inspect {FX}/none.onnx                                                | 2 | none.onnx
        eval truncated ONNX             | eval --model {FX}/truncated.onnx --data {FX}/good --device cpu --out {OUT}/eval     | 2 | truncated.onnx
        eval text as ONNX               | eval --model {FX}/text.onnx --data {FX}/good --device cpu --out {OUT}/eval          | 2 | text.onnx
        eval wrong input shape          | eval --model {FX}/mnist.onnx --data {FX}/good --device cpu --out {OUT}/eval         | 2 | mnist.onnx
        predict wrong input shape       | predict --device cpu --model {FX}/mnist.onnx {FX}/image.png --out {OUT}/p.csv       | 2 | mnist.onnx
        eval on other classes (resized) | eval --model {FX}/good.onnx --data {FX}/wrong-size --device cpu --out {OUT}/eval   | 2 | data has 3 classes but model
        # numeric flags out of range
        train --batch-size 0            | train --data {FX}/good --out {OUT}/run TINY --batch-size 0            | 2 | --batch-size
        train --max-lr -1               | train --data {FX}/good --out {OUT}/run TINY --max-lr -1               | 2 | --max-lr
        train --max-lr NaN              | train --data {FX}/good --out {OUT}/run TINY --max-lr NaN              | 2 | --max-lr
        train --epochs 0                | train --data {FX}/good --out {OUT}/run TINY --epochs 0                | 2 | --epochs
        train --pct-start 1.5           | train --data {FX}/good --out {OUT}/run TINY --pct-start 1.5           | 2 | --pct-start
        train --width 0                 | train --data {FX}/good --out {OUT}/run TINY --width 0                 | 2 | --width
        train --width -0.5              | train --data {FX}/good --out {OUT}/run TINY --width -0.5              | 2 | --width
        train --limit-train -1          | train --data {FX}/good --out {OUT}/run TINY --limit-train -1          | 2 | --limit-train
        train --limit-test -1           | train --data {FX}/good --out {OUT}/run TINY --limit-test -1           | 2 | --limit-test
        train --threads -1              | train --data {FX}/good --out {OUT}/run TINY --threads -1              | 2 | --threads
        train --weight-decay -1         | train --data {FX}/good --out {OUT}/run TINY --weight-decay -1         | 2 | --weight-decay
        train --label-smoothing 1       | train --data {FX}/good --out {OUT}/run TINY --label-smoothing 1       | 2 | --label-smoothing
        train --div-factor 0            | train --data {FX}/good --out {OUT}/run TINY --div-factor 0            | 2 | --div-factor
        train --cutout -1               | train --data {FX}/good --out {OUT}/run TINY --cutout -1               | 2 | --cutout
        train --max-momentum 1.5        | train --data {FX}/good --out {OUT}/run TINY --max-momentum 1.5        | 2 | momentum
        train --batch-size abc          | train --data {FX}/good --out {OUT}/run TINY --batch-size abc          | 2 | --batch-size
        train batch > training images   | train --data {FX}/good --out {OUT}/run TINY --batch-size 64           | 2 | fewer than one batch
        eval --batch-size 0             | eval --model {FX}/good.onnx --data {FX}/good --device cpu --batch-size 0 --out {OUT}/e | 2 | --batch-size
        eval --limit -1                 | eval --model {FX}/good.onnx --data {FX}/good --device cpu --limit -1 --out {OUT}/e     | 2 | --limit
        eval --tta sideways             | eval --model {FX}/good.onnx --data {FX}/good --device cpu --tta sideways --out {OUT}/e | 2 | --tta
        predict --top-k 0               | predict --device cpu --model {FX}/good.onnx {FX}/image.png --top-k 0 --out {OUT}/p.csv      | 2 | --top-k
        predict --batch-size 0          | predict --device cpu --model {FX}/good.onnx {FX}/image.png --batch-size 0 --out {OUT}/p.csv | 2 | --batch-size
        predict --threads -2            | predict --device cpu --model {FX}/good.onnx {FX}/image.png --threads -2 --out {OUT}/p.csv   | 2 | --threads
        export --precision fp8          | export --checkpoint {FX}/good.pt --out {OUT}/m.onnx --precision fp8   | 2 | --precision
        lr-find --iters 0               | lr-find --data {FX}/good --out {OUT} --width 0.0625 --batch-size 8 --threads 1 --device cpu --iters 0                   | 2 | --iters
        lr-find --start-lr above end    | lr-find --data {FX}/good --out {OUT} --width 0.0625 --batch-size 8 --threads 1 --device cpu --start-lr 10 --end-lr 1    | 2 | --end-lr
        lr-find --diverge 0             | lr-find --data {FX}/good --out {OUT} --width 0.0625 --batch-size 8 --threads 1 --device cpu --diverge 0                 | 2 | --diverge
        lr-sweep negative LR            | lr-sweep --data {FX}/good --out {OUT}/sweep TINY --max-lrs 0.1,-1     | 2 | --max-lrs
        run --batch-size 0              | run --data {FX}/good --out {OUT}/run TINY --batch-size 0              | 2 | --batch-size
        run --resume of nothing         | run --resume {OUT}/run                                                | 2 | {OUT}/run
        schedule --epochs 0             | schedule --epochs 0 --steps-per-epoch 10 --max-lr 0.1 --plot {OUT}/s.png      | 2 | --epochs
        schedule --pct-start 1.5        | schedule --epochs 2 --steps-per-epoch 10 --max-lr 0.1 --pct-start 1.5 --plot {OUT}/s.png | 2 | --pct-start
        schedule --steps-per-epoch -3   | schedule --epochs 2 --steps-per-epoch -3 --max-lr 0.1 --plot {OUT}/s.png      | 2 | --steps-per-epoch
        """)
    void refusesWithOneLineAndNoOutput(String name, String line, int code, String expected) throws IOException {
        Path out = Files.createDirectories(root.resolve("out").resolve(name.replaceAll("[^A-Za-z0-9]+", "-")));
        String expanded = line.replace("TINY", tinyFlagsNotIn(line)).replace("{FX}", fx.toString()).replace("{OUT}", out.toString())
                .replace("{URL}", "http://127.0.0.1:" + server.getAddress().getPort() + "/cifar-10-binary.tar.gz");
        List<String> inputsBefore = Fixtures.tree(fx);

        CliRunner.Result r = CliRunner.run(args(expanded));

        assertEquals(code, r.exitCode(), r.toString());
        List<String> lines = r.errLines().stream()
                .filter(l -> !l.startsWith("Try '") && !l.equals("(run with --verbose for details)")).toList();
        assertEquals(1, lines.size(), "one line on stderr\n" + r);
        assertTrue(lines.getFirst().startsWith("superconv: "), r.toString());
        String expectedText = expected.replace("{OUT}", out.toString());
        assertTrue(lines.getFirst().contains(expectedText), "expected '" + expectedText + "'\n" + r);
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace\n" + r);
        assertEquals(List.of(), Fixtures.files(out), "no file left in the output folder\n" + r);
        assertFalse(Files.exists(out.resolve("run")), "no run directory\n" + r);
        assertEquals(inputsBefore, Fixtures.tree(fx), "nothing written next to the inputs\n" + r);
        assertEquals(List.of(), Fixtures.tree(root.resolve("cache")).stream().filter(p -> p.endsWith(".tmp")).toList());
    }

    @Test
    void verboseAddsTheStackTrace() {
        CliRunner.Result r = CliRunner.run("export", "--checkpoint", fx.resolve("truncated.pt").toString(),
                "--out", root.resolve("verbose.onnx").toString(), "--verbose");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("BadInputException") && r.err().contains("\tat "), r.toString());
        assertFalse(Files.exists(root.resolve("verbose.onnx")));
    }
}
