package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LrFindCommandTest {
    @TempDir
    Path out;

    static String jpeg() {
        String jpeg = System.getProperty("superconv.data.jpeg", "");
        assumeTrue(!jpeg.isEmpty() && Files.isDirectory(Path.of(jpeg)), "real CIFAR-10 JPEG mirror not present");
        return jpeg;
    }

    @Test
    void findsLrsOnARealSubsetAndWritesCsvAndPlot() throws Exception {
        CliRunner.Result r = CliRunner.run("lr-find", "--data", jpeg(), "--width", "0.25", "--logit-scale", "0.125", "--batch-size", "32", "--limit-train", "1000",
                "--iters", "30", "--start-lr", "1e-5", "--end-lr", "10", "--threads", "2", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        for (String name : List.of("valley", "steep", "minimum")) {
            assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(name + " ")), name + " printed:\n" + r.out());
        }
        List<String> csv = Files.readAllLines(out.resolve("lr_find.csv"));
        assertEquals("step,lr,loss,smoothed_loss", csv.get(0));
        assertTrue(csv.size() > 10 && csv.size() <= 31, "rows " + csv.size());
        assertEquals(1e-5, Double.parseDouble(csv.get(1).split(",")[1]), 0);
        assertEquals(900, ImageIO.read(out.resolve("lr_find.png").toFile()).getWidth());
    }

    @Test
    void badFlagsAreOneLineExit2WithoutOutput() {
        for (String[] bad : List.of(new String[] {"--iters", "1"}, new String[] {"--start-lr", "0"}, new String[] {"--end-lr", "1e-9"},
                new String[] {"--mode", "cubic"}, new String[] {"--diverge", "0.5"}, new String[] {"--width", "-1"})) {
            String[] args = new String[bad.length + 5];
            args[0] = "lr-find";
            args[1] = "--data";
            args[2] = out.resolve("nodata").toString();
            args[3] = "--out";
            args[4] = out.toString();
            System.arraycopy(bad, 0, args, 5, bad.length);
            CliRunner.Result r = CliRunner.run(args);
            assertEquals(2, r.exitCode(), String.join(" ", bad) + "\n" + r);
            assertEquals(1, r.errLines().size(), r.toString());
            assertTrue(r.err().contains(bad[0]), "names the flag: " + r.err());
        }
        CliRunner.Result r = CliRunner.run("lr-find", "--data", out.resolve("nodata").toString(), "--out", out.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(Files.notExists(out.resolve("lr_find.csv")));
    }
}
