package dev.superconv.core.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;

/** Checks that a plot file is a real picture: it exists, decodes as PNG, has the size asked, and is not blank. */
public final class PngAssert {
    private PngAssert() {}

    public static BufferedImage assertPlot(Path png, int width, int height) throws IOException {
        assertTrue(Files.isRegularFile(png), png + " missing");
        byte[] head = new byte[8];
        try (var in = Files.newInputStream(png)) {
            assertEquals(8, in.read(head));
        }
        assertEquals((byte) 0x89, head[0], "PNG signature");
        assertEquals("PNG", new String(head, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, png + " does not decode");
        assertEquals(width, img.getWidth(), "width");
        assertEquals(height, img.getHeight(), "height");
        assertNotBlank(img);
        try (var files = Files.list(png.getParent())) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temp file left behind");
        }
        return img;
    }

    /** A blank (or nearly uniform) image has tiny luminance variance and a handful of colours. */
    public static void assertNotBlank(BufferedImage img) {
        double sum = 0;
        double sq = 0;
        Set<Integer> colours = new HashSet<>();
        int n = img.getWidth() * img.getHeight();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                colours.add(rgb);
                double lum = 0.299 * (rgb >> 16 & 0xFF) + 0.587 * (rgb >> 8 & 0xFF) + 0.114 * (rgb & 0xFF);
                sum += lum;
                sq += lum * lum;
            }
        }
        double mean = sum / n;
        double variance = sq / n - mean * mean;
        assertTrue(variance > 50, "image looks blank: luminance variance " + variance);
        assertTrue(colours.size() > 20, "image looks blank: only " + colours.size() + " colours");
    }
}
