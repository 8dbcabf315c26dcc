package dev.superconv.inference;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import dev.superconv.core.io.Csv;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes {@code predict} rows as CSV ({@code path,label_1,prob_1,…,label_k,prob_k,error}, one header
 * line) or JSON lines ({@code {"path":…,"labels":[…],"probabilities":[…]}} or
 * {@code {"path":…,"error":…}}). Probabilities are printed with 6 decimals.
 */
public final class PredictionWriter implements Predictor.Rows {
    /** Output formats. */
    public enum Format {
        CSV,
        JSONL;

        public static Format parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "csv" -> CSV;
                case "jsonl" -> JSONL;
                default -> throw new BadInputException("--format must be csv or jsonl, got '" + text + "'");
            };
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Writer out;
    private final Format format;
    private final int topK;

    /** @param topK columns per row in CSV (fewer classes leave the last ones empty) */
    public PredictionWriter(Writer out, Format format, int topK) throws IOException {
        this.out = out;
        this.format = format;
        this.topK = topK;
        if (format == Format.CSV) {
            StringBuilder h = new StringBuilder("path");
            for (int i = 1; i <= topK; i++) {
                h.append(",label_").append(i).append(",prob_").append(i);
            }
            out.write(h.append(",error\n").toString());
        }
    }

    @Override
    public void prediction(Path file, List<String> labels, double[] probabilities) throws IOException {
        if (format == Format.CSV) {
            StringBuilder b = new StringBuilder(Csv.field(file.toString()));
            for (int i = 0; i < topK; i++) {
                b.append(',');
                if (i < labels.size()) {
                    b.append(Csv.field(labels.get(i))).append(',').append(String.format(Locale.ROOT, "%.6f", probabilities[i]));
                } else {
                    b.append(',');
                }
            }
            out.write(b.append(",\n").toString());
        } else {
            ObjectNode o = JSON.createObjectNode();
            o.put("path", file.toString());
            ArrayNode l = o.putArray("labels");
            labels.forEach(l::add);
            ArrayNode p = o.putArray("probabilities");
            for (double v : probabilities) {
                p.add(Math.round(v * 1e6) / 1e6);
            }
            out.write(JSON.writeValueAsString(o) + "\n");
        }
    }

    @Override
    public void error(Path file, String reason) throws IOException {
        if (format == Format.CSV) {
            out.write(Csv.field(file.toString()) + ",".repeat(2 * topK) + "," + Csv.field(reason) + "\n");
        } else {
            ObjectNode o = JSON.createObjectNode();
            o.put("path", file.toString());
            o.put("error", reason);
            out.write(JSON.writeValueAsString(o) + "\n");
        }
    }

}
