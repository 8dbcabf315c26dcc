package dev.superconv.core.plot;

import dev.superconv.core.io.AtomicFiles;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Turns charts and images into PNG files. Everything renders into an in-memory
 * {@link BufferedImage}, so no display is needed (the JVM runs with {@code java.awt.headless}).
 * Files are written atomically: a reader never sees half a PNG.
 */
public final class ChartFiles {
    private ChartFiles() {}

    public static void writePng(Chart<?, ?> chart, Path target) {
        writePng(render(chart), target);
    }

    /** Several charts of equal size side by side in one row. */
    public static void writePngRow(List<? extends Chart<?, ?>> charts, Path target) {
        int w = 0;
        int h = 0;
        for (Chart<?, ?> c : charts) {
            w += c.getWidth();
            h = Math.max(h, c.getHeight());
        }
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, w, h);
            int x = 0;
            for (Chart<?, ?> c : charts) {
                Graphics2D sub = (Graphics2D) g.create(x, 0, c.getWidth(), c.getHeight());
                try {
                    c.paint(sub, c.getWidth(), c.getHeight());
                } finally {
                    sub.dispose();
                }
                x += c.getWidth();
            }
        } finally {
            g.dispose();
        }
        writePng(image, target);
    }

    public static void writePng(BufferedImage image, Path target) {
        AtomicFiles.writeBytes(target, pngBytes(image));
    }

    public static byte[] pngBytes(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer in this JVM");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode PNG: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    static BufferedImage render(Chart<?, ?> chart) {
        BufferedImage image = new BufferedImage(chart.getWidth(), chart.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            chart.paint(g, chart.getWidth(), chart.getHeight());
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Graphics with antialiased shapes and text, for hand-drawn images. */
    static Graphics2D smooth(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        return g;
    }
}
