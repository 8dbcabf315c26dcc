package dev.superconv.core.io;

import java.util.ArrayList;
import java.util.List;

/**
 * The CSV dialect of every file superconv writes (RFC 4180: comma-separated, a field holding a
 * comma, quote, CR or LF is quoted with its quotes doubled, anything else is written as is) and the
 * reader of its own files. Hand-written rather than commons-csv: commons-csv's minimal quoting also
 * quotes fields that start with a space, '#' or similar, which would change the bytes of the
 * predict and eval outputs that scripts already read.
 */
public final class Csv {
    private Csv() {}

    public static String field(String value) {
        return value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")
                ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    /** The fields, each written by {@link #field}, joined by commas (no line end). */
    public static String row(List<String> values) {
        return String.join(",", values.stream().map(Csv::field).toList());
    }

    /**
     * The records of {@code text}: a quoted field may hold commas, doubled quotes and line breaks;
     * a record ends at LF or CRLF outside quotes. A final line end adds no empty record.
     */
    public static List<List<String>> parse(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean fieldStarted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"' && field.isEmpty()) {
                quoted = true;
                fieldStarted = true;
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
                fieldStarted = true;
            } else if (c == '\n' || (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n')) {
                if (c == '\r') {
                    i++;
                }
                record.add(field.toString());
                records.add(record);
                record = new ArrayList<>();
                field.setLength(0);
                fieldStarted = false;
            } else {
                field.append(c);
                fieldStarted = true;
            }
        }
        if (fieldStarted || !field.isEmpty() || !record.isEmpty()) {
            record.add(field.toString());
            records.add(record);
        }
        return records;
    }
}
