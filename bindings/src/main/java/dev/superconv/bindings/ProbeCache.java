package dev.superconv.bindings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;

/**
 * Probe results kept per machine in one JSON file ({@code ~/.cache/superconv/precision-probe.json}),
 * keyed by everything the measurement depends on, so the probe runs once per machine and shape.
 * An unreadable file counts as empty and is rewritten. A measurement taken while other work shared
 * the cores is used once and not cached: it would decide every later run.
 */
record ProbeCache(Path file) {
    /** One-minute load average per logical CPU above which a measurement is not cached. */
    static final double BUSY_LOAD_PER_CPU = 1.0;

    /** The two speeds (img/s) and the load per logical CPU when the measurement began. */
    record Speeds(double fp32, double bf16, double loadPerCpu) {}

    ProbeResult lookupOrMeasure(String key, String shape, Supplier<Speeds> measure) {
        ObjectNode all = read();
        JsonNode hit = all.path(key);
        if (hit.isObject() && hit.path("fp32_img_s").isNumber() && hit.path("bf16_img_s").isNumber()) {
            return new ProbeResult(hit.path("fp32_img_s").asDouble(), hit.path("bf16_img_s").asDouble(), shape,
                    "cached " + hit.path("measured_at").asText("?") + " in " + file);
        }
        Speeds s = measure.get();
        if (s.loadPerCpu() > BUSY_LOAD_PER_CPU) {
            return new ProbeResult(s.fp32(), s.bf16(), shape, String.format(java.util.Locale.ROOT,
                    "measured now on a busy machine (load %.1f per CPU), not cached", s.loadPerCpu()));
        }
        ObjectNode entry = all.putObject(key);
        entry.put("fp32_img_s", s.fp32()).put("bf16_img_s", s.bf16())
                .put("load_per_cpu", s.loadPerCpu()).put("measured_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicFiles.writeString(file, all.toPrettyString() + "\n");
            return new ProbeResult(s.fp32(), s.bf16(), shape, "measured now, cached in " + file);
        } catch (IOException | RuntimeException e) {
            return new ProbeResult(s.fp32(), s.bf16(), shape, "measured now, not cached: " + e.getMessage());
        }
    }

    private ObjectNode read() {
        try {
            if (Files.isRegularFile(file)) {
                JsonNode n = new ObjectMapper().readTree(file.toFile());
                if (n instanceof ObjectNode o) {
                    return o;
                }
            }
        } catch (IOException e) {
            // a torn or foreign file: measure again and replace it
        }
        return new ObjectMapper().createObjectNode();
    }
}
