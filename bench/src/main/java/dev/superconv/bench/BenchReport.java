package dev.superconv.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of one {@link EndToEndBench} run: the figures, the machine, and the two renderings
 * ({@code bench.md}, {@code bench.json}).
 *
 * @param data    where the images came from (a {@code --data} spec or random bytes)
 * @param seconds wall time of the whole run
 */
public record BenchReport(BenchConfig config, String data, List<Figure> figures, MachineInfo machine, double seconds) {
    public Figure figure(String key) {
        return figures.stream().filter(f -> f.key().equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no figure " + key));
    }

    /** The Markdown table and machine block that go into the README. */
    public String markdown(String command) {
        StringBuilder b = new StringBuilder();
        b.append("| Figure | Median | Min–max | Unit | Target or external reference |\n");
        b.append("|---|---:|---:|---|---|\n");
        for (Figure f : figures) {
            String verdict = switch (f.verdict()) {
                case MET -> " ✓";
                case MISSED -> " ✗ missed";
                case NONE -> "";
            };
            String last = f.reference().isEmpty() ? f.target() + verdict : f.reference();
            b.append(String.format(Locale.ROOT, "| %s | %s | %s–%s | %s | %s |%n", f.name(), number(f.stats().median()),
                    number(f.stats().min()), number(f.stats().max()), f.unit(), last));
        }
        b.append('\n');
        for (Map.Entry<String, String> e : machine.rows().entrySet()) {
            b.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        b.append("- Data: ").append(data).append('\n');
        b.append(String.format(Locale.ROOT, "- Command: `%s` (%s: median and min–max over %d runs after %d warm-up; %.0f s in all)%n",
                command, config.name(), config.runs(), config.warmups(), seconds));
        b.append("- Noise: shared machines vary between runs; compare the ratios measured within one run.\n");
        String warning = machine.warning();
        if (!warning.isEmpty()) {
            b.append("\n**").append(warning).append("**\n");
        }
        return b.toString();
    }

    /** One JSON object: config, data, machine, warning and every figure by key. */
    public ObjectNode json(String command) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("command", command).put("config", config.name()).put("runs", config.runs()).put("warmups", config.warmups());
        o.put("data", data).put("seconds", seconds);
        o.set("machine", machine.toJson());
        o.put("warning", machine.warning());
        ObjectNode all = o.putObject("figures");
        for (Figure f : figures) {
            ObjectNode j = all.putObject(f.key());
            j.put("name", f.name()).put("unit", f.unit());
            j.put("median", f.stats().median()).put("min", f.stats().min()).put("max", f.stats().max()).put("runs", f.stats().runs());
            j.put("target", f.target()).put("verdict", f.verdict().name().toLowerCase(Locale.ROOT)).put("reference", f.reference());
        }
        return o;
    }

    public String jsonText(String command) {
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json(command));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One figure as a progress line. */
    static String line(Figure f) {
        return String.format(Locale.ROOT, "%s: %s %s (%s–%s)%s", f.key(), number(f.stats().median()), f.unit(),
                number(f.stats().min()), number(f.stats().max()), f.verdict() == Figure.Verdict.MISSED ? " — target " + f.target() + " missed" : "");
    }

    /** Three significant digits, thousands separated: 51,234 / 412 / 4.87 / 0.962. */
    static String number(double v) {
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
