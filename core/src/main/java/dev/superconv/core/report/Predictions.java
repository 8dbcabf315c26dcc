package dev.superconv.core.report;

import dev.superconv.core.BadInputException;
import dev.superconv.core.io.AtomicFiles;
import dev.superconv.core.io.Csv;
import dev.superconv.core.metrics.Confusion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

/**
 * A model's predictions on an evaluation split, image by image, in the split's order: the true
 * label, the predicted class and the softmax probability of that class, with the class names when
 * known. Stored as {@code predictions.csv} (by {@code train}/{@code run} in the run directory and by
 * {@code eval --out}), so the report can be regenerated without running the model again:
 * {@code index,label,predicted,confidence,label_name,predicted_name}, labels as class indices and
 * names (CSV-quoted where needed). Files of the earlier four-column format (indices only) still read.
 *
 * {@code classes} maps index to name; empty when the names are not known (a four-column file, or
 * a file in which some class index never occurs, so its name cannot be recovered).
 */
public record Predictions(int[] labels, int[] predicted, double[] confidence, List<String> classes) {
    private static final String HEADER_INDICES = "index,label,predicted,confidence";
    private static final String HEADER = HEADER_INDICES + ",label_name,predicted_name";

    public Predictions {
        if (labels.length != predicted.length || labels.length != confidence.length) {
            throw new IllegalArgumentException(labels.length + " labels, " + predicted.length + " predictions, " + confidence.length + " confidences");
        }
        labels = labels.clone();
        predicted = predicted.clone();
        confidence = confidence.clone();
        classes = List.copyOf(classes);
        for (int i = 0; i < labels.length && !classes.isEmpty(); i++) {
            if (labels[i] >= classes.size() || predicted[i] >= classes.size()) {
                throw new IllegalArgumentException("image " + i + ": class index beyond the " + classes.size() + " class names");
            }
        }
    }

    /** Predictions whose class names are not known. */
    public Predictions(int[] labels, int[] predicted, double[] confidence) {
        this(labels, predicted, confidence, List.of());
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
        double[] confidence = new double[n];
        for (int i = 0; i < n; i++) {
            confidence[i] = probabilities[i * k + predicted[i]];
        }
        return of(data, predicted, confidence);
    }

    /** From the predicted class and its probability of every image of {@code data}. */
    public static Predictions of(dev.superconv.core.data.Dataset data, int[] predicted, double[] confidence) {
        int[] labels = new int[data.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = data.label(i);
        }
        return new Predictions(labels, predicted, confidence, data.classes());
    }

    public int size() {
        return labels.length;
    }

    public Confusion confusion(List<String> classes) {
        return Confusion.of(classes, labels, predicted);
    }

    public void write(Path csv) {
        StringBuilder sb = new StringBuilder(48 * (size() + 1)).append(HEADER).append('\n');
        for (int i = 0; i < size(); i++) {
            sb.append(i).append(',').append(labels[i]).append(',').append(predicted[i]).append(',').append(confidence[i]).append(',')
                    .append(Csv.field(name(labels[i]))).append(',').append(Csv.field(name(predicted[i]))).append('\n');
        }
        AtomicFiles.writeString(csv, sb.toString());
    }

    private String name(int index) {
        return classes.isEmpty() ? "" : classes.get(index);
    }

    public static Predictions read(Path csv) {
        List<List<String>> records;
        try {
            records = Csv.parse(Files.readString(csv));
        } catch (NoSuchFileException e) {
            throw new BadInputException(csv + ": no such file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv + ": " + e.getMessage(), e);
        }
        String header = records.isEmpty() ? "" : String.join(",", records.getFirst()).strip();
        if (!header.equals(HEADER) && !header.equals(HEADER_INDICES)) {
            throw new BadInputException(csv + ": not a predictions file (first line must be '" + HEADER + "')");
        }
        int fields = header.equals(HEADER) ? 6 : 4;
        int n = records.size() - 1;
        while (n > 0 && String.join(",", records.get(n)).isBlank()) {
            n--;
        }
        int[] labels = new int[n];
        int[] predicted = new int[n];
        double[] confidence = new double[n];
        TreeMap<Integer, String> names = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            List<String> f = records.get(i + 1);
            try {
                if (f.size() != fields || Integer.parseInt(f.get(0).strip()) != i) {
                    throw new NumberFormatException("expected " + fields + " fields starting with index " + i);
                }
                labels[i] = Integer.parseInt(f.get(1).strip());
                predicted[i] = Integer.parseInt(f.get(2).strip());
                confidence[i] = Double.parseDouble(f.get(3).strip());
                if (labels[i] < 0 || predicted[i] < 0 || !(confidence[i] >= 0 && confidence[i] <= 1)) {
                    throw new NumberFormatException("label and predicted must be class indices ≥ 0, confidence in [0, 1]");
                }
                if (fields == 6) {
                    name(names, labels[i], f.get(4));
                    name(names, predicted[i], f.get(5));
                }
            } catch (NumberFormatException e) {
                throw new BadInputException(csv + " line " + (i + 2) + ": " + e.getMessage());
            }
        }
        boolean complete = !names.isEmpty() && names.size() == names.lastKey() + 1;
        return new Predictions(labels, predicted, confidence, complete ? List.copyOf(names.values()) : List.of());
    }

    private static void name(TreeMap<Integer, String> names, int index, String name) {
        if (name.isEmpty()) {
            return; // written without names
        }
        String before = names.putIfAbsent(index, name);
        if (before != null && !before.equals(name)) {
            throw new NumberFormatException("class " + index + " is named both '" + before + "' and '" + name + "'");
        }
    }
}
