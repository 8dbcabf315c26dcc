package dev.superconv.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Wall time per named stage of a run, in the order the stages ran. */
final class StageTimer {
    private final Map<String, Double> seconds = new LinkedHashMap<>();

    <T> T time(String stage, Supplier<T> work) {
        long t0 = System.nanoTime();
        try {
            return work.get();
        } finally {
            seconds.merge(stage, (System.nanoTime() - t0) / 1e9, Double::sum);
        }
    }

    Map<String, Double> seconds() {
        return Map.copyOf(seconds);
    }

    Map<String, Double> ordered() {
        return new LinkedHashMap<>(seconds);
    }
}
