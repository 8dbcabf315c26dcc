package dev.superconv.core.report;

import dev.superconv.core.BadInputException;
import dev.superconv.core.io.AtomicFiles;
import dev.superconv.core.metrics.Confusion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A model's predictions on an evaluation split, image by image, in the split's order: the true
 * label, the predicted class and the softmax probability of that class. Stored in a run directory as
 * {@code predictions.csv} so the report can be regenerated without running the model again.
 */
public record Predictions(int[] labels, int[] predicted, double[] confidence) {
    private static final String HEADER = "index,label,predicted,confidence";

    public Predictions {
        if (labels.length != predicted.length || labels.length != confidence.length) {
            throw new IllegalArgumentException(labels.length + " labels, " + predicted.length + " predictions, " + confidence.length + " confidences");
        }
        labels = labels.clone();
        predicted = predicted.clone();
        confidence = confidence.clone();
    }

    /**
     * From a model's output on {@code data}: {@code predicted[i]} the arg-max class of image i and
     * {@code probabilities} the softmax rows ({@code size × classes}, row-major).
     */
    public static Predictions of(dev.superconv.core.data.Dataset data, int[] predicted, float[] probabilities) {
        int n = data.size();
        int k = data.classes().size();
        if (predicted.length != n || probabilities.length != (long) n * k) {
            throw new IllegalArgumentException(n + " images × " + k + " classes but " + predicted.length + " predictions and "
                    + probabilities.length + " probabilities");
        }
        int[] labels = new int[n];
        double[] confidence = new double[n];
        for (int i = 0; i < n; i++) {
            labels[i] = data.label(i);
            confidence[i] = probabilities[i * k + predicted[i]];
        }
        return new Predictions(labels, predicted, confidence);
    }

    public int size() {
        return labels.length;
    }

    public Confusion confusion(List<String> classes) {
        return Confusion.of(classes, labels, predicted);
    }

    public void write(Path csv) {
        StringBuilder sb = new StringBuilder(32 * (size() + 1)).append(HEADER).append('\n');
        for (int i = 0; i < size(); i++) {
            sb.append(i).append(',').append(labels[i]).append(',').append(predicted[i]).append(',').append(confidence[i]).append('\n');
        }
        AtomicFiles.writeString(csv, sb.toString());
    }

    public static Predictions read(Path csv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv);
        } catch (NoSuchFileException e) {
            throw new BadInputException(csv + ": no such file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv + ": " + e.getMessage(), e);
        }
        if (lines.isEmpty() || !lines.get(0).strip().equals(HEADER)) {
            throw new BadInputException(csv + ": not a predictions file (first line must be '" + HEADER + "')");
        }
        int n = lines.size() - 1;
        while (n > 0 && lines.get(n).isBlank()) {
            n--;
        }
        int[] labels = new int[n];
        int[] predicted = new int[n];
        double[] confidence = new double[n];
        for (int i = 0; i < n; i++) {
            String[] f = lines.get(i + 1).split(",");
            try {
                if (f.length != 4 || Integer.parseInt(f[0].strip()) != i) {
                    throw new NumberFormatException("expected 4 fields starting with index " + i);
                }
                labels[i] = Integer.parseInt(f[1].strip());
                predicted[i] = Integer.parseInt(f[2].strip());
                confidence[i] = Double.parseDouble(f[3].strip());
                if (labels[i] < 0 || predicted[i] < 0 || !(confidence[i] >= 0 && confidence[i] <= 1)) {
                    throw new NumberFormatException("label and predicted must be class indices ≥ 0, confidence in [0, 1]");
                }
            } catch (NumberFormatException e) {
                throw new BadInputException(csv + " line " + (i + 2) + ": " + e.getMessage());
            }
        }
        return new Predictions(labels, predicted, confidence);
    }
}
