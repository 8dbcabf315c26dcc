package dev.superconv.core.plot;

import dev.superconv.core.data.Dataset;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The seed's "show results": a grid of misclassified images, each upscaled with nearest-neighbour
 * (so the real 32×32 pixels stay visible) and labelled {@code true → predicted (p)}, where p is the
 * model's probability for the predicted class. The most confident mistakes come first: they are
 * the ones that say most about the model (or about the labels).
 */
public final class MisclassifiedGrid {
    public static final int SCALE = 4;
    public static final int COLUMNS = 8;
    static final int CELL_WIDTH = 184;
    static final int LABEL_HEIGHT = 22;
    static final int CELL_HEIGHT = Dataset.HEIGHT * SCALE + LABEL_HEIGHT + 10;
    static final int TITLE_HEIGHT = 34;

    private MisclassifiedGrid() {}

    /** Indices of misclassified images, most confident first, at most {@code max}. */
    public static List<Integer> select(Dataset data, int[] predictions, double[] confidence, int max) {
        if (predictions.length != data.size() || confidence.length != data.size()) {
            throw new IllegalArgumentException(data.size() + " images but " + predictions.length + " predictions and " + confidence.length + " confidences");
        }
        List<Integer> wrong = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            if (predictions[i] != data.label(i)) {
                wrong.add(i);
            }
        }
        wrong.sort(Comparator.comparingDouble((Integer i) -> -confidence[i]).thenComparingInt(i -> i));
        return List.copyOf(wrong.subList(0, Math.min(max, wrong.size())));
    }

    /** Pixel size of a grid showing {@code shown} images. */
    public static Dimension size(int shown) {
        int cols = Math.max(1, Math.min(COLUMNS, shown));
        int rows = Math.max(1, (shown + COLUMNS - 1) / COLUMNS);
        return new Dimension(cols * CELL_WIDTH, TITLE_HEIGHT + rows * CELL_HEIGHT);
    }

    /** Writes the grid; returns the number of images shown. */
    public static int write(Dataset data, int[] predictions, double[] confidence, int max, Path png) {
        List<Integer> shown = select(data, predictions, confidence, max);
        int totalWrong = 0;
        for (int i = 0; i < data.size(); i++) {
            totalWrong += predictions[i] != data.label(i) ? 1 : 0;
        }
        Dimension d = size(shown.size());
        BufferedImage image = new BufferedImage(d.width, d.height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = ChartFiles.smooth(image);
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, d.width, d.height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            String title = shown.isEmpty()
                    ? "No misclassified images among " + data.size()
                    : "Misclassified: " + shown.size() + " of " + totalWrong + " wrong out of " + data.size() + " (most confident first)";
            g.drawString(title, 8, 23);
            for (int k = 0; k < shown.size(); k++) {
                int i = shown.get(k);
                int x = (k % COLUMNS) * CELL_WIDTH;
                int y = TITLE_HEIGHT + (k / COLUMNS) * CELL_HEIGHT;
                drawCell(g, data, i, predictions[i], confidence[i], x, y);
            }
        } finally {
            g.dispose();
        }
        ChartFiles.writePng(image, png);
        return shown.size();
    }

    private static void drawCell(Graphics2D g, Dataset data, int i, int predicted, double p, int x, int y) {
        int side = Dataset.HEIGHT * SCALE;
        int left = x + (CELL_WIDTH - side) / 2;
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(thumbnail(data, i), left, y, side, side, null);
        String label = data.classes().get(data.label(i)) + " \u2192 " + data.classes().get(predicted) + String.format(" (%.2f)", p);
        int size = 13;
        FontMetrics fm;
        do {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, size));
            fm = g.getFontMetrics();
        } while (fm.stringWidth(label) > CELL_WIDTH - 6 && --size > 8);
        g.setColor(new Color(178, 24, 43));
        g.drawString(label, x + (CELL_WIDTH - fm.stringWidth(label)) / 2, y + side + 4 + fm.getAscent());
    }

    /** One image of the data set as a 32×32 RGB picture (pixels are HWC, R G B interleaved). */
    static BufferedImage thumbnail(Dataset data, int i) {
        BufferedImage img = new BufferedImage(Dataset.WIDTH, Dataset.HEIGHT, BufferedImage.TYPE_INT_RGB);
        byte[] px = data.pixels();
        int base = i * Dataset.IMAGE_BYTES;
        for (int row = 0; row < Dataset.HEIGHT; row++) {
            for (int col = 0; col < Dataset.WIDTH; col++) {
                int o = base + (row * Dataset.WIDTH + col) * Dataset.CHANNELS;
                int rgb = (px[o] & 0xFF) << 16 | (px[o + 1] & 0xFF) << 8 | (px[o + 2] & 0xFF);
                img.setRGB(col, row, rgb);
            }
        }
        return img;
    }
}
