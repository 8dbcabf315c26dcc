package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleCommandTest {
    @TempDir Path dir;

    @Test
    void csvHasEveryStepWithExactValues() {
        CliRunner.Result r = CliRunner.run("schedule", "--epochs", "4", "--steps-per-epoch", "25", "--max-lr", "0.4",
                "--pct-start", "0.25", "--anneal", "linear", "--csv");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals("step,lr,momentum", lines.get(0));
        assertEquals(101, lines.size());
        assertEquals("0,0.016,0.95", lines.get(1));
        String[] peak = lines.get(25).split(",");
        assertEquals(24, Integer.parseInt(peak[0]));
        assertEquals(0.4, Double.parseDouble(peak[1]), 1e-12);
        assertEquals(0.85, Double.parseDouble(peak[2]), 1e-12);
        assertEquals(1.6e-6, Double.parseDouble(lines.get(100).split(",")[1]), 1e-12);
    }

    @Test
    void plotsToPng() throws Exception {
        Path png = dir.resolve("sched.png");
        CliRunner.Result r = CliRunner.run("schedule", "--epochs", "24", "--steps-per-epoch", "98", "--max-lr", "0.1",
                "--three-phase", "--plot", png.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("one-cycle(max_lr=0.1"), r.out());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
        assertEquals(500, img.getHeight());
    }

    @Test
    void badFlagsExitTwoWithOneLineAndNoFile() {
        Path png = dir.resolve("bad.png");
        for (String[] args : new String[][] {
            {"--epochs", "0", "--steps-per-epoch", "10", "--max-lr", "0.1"},
            {"--epochs", "2", "--steps-per-epoch", "10", "--max-lr", "-0.1"},
            {"--epochs", "2", "--steps-per-epoch", "10", "--max-lr", "0.1", "--pct-start", "1.5"},
            {"--epochs", "2", "--steps-per-epoch", "10", "--max-lr", "0.1", "--anneal", "step"},
        }) {
            String[] full = new String[args.length + 3];
            full[0] = "schedule";
            System.arraycopy(args, 0, full, 1, args.length);
            full[args.length + 1] = "--plot";
            full[args.length + 2] = png.toString();
            CliRunner.Result r = CliRunner.run(full);
            assertEquals(2, r.exitCode(), r.toString());
            assertEquals(1, r.errLines().size(), r.toString());
            assertFalse(Files.exists(png));
        }
    }
}
