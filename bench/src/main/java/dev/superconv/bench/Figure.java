package dev.superconv.bench;

/**
 * One row of the benchmark table.
 *
 * @param key       stable JSON key, e.g. {@code train_fp32_nhwc_img_s}
 * @param name      what was measured, for people
 * @param unit      img/s, GB/s, GFLOP/s, %, ×
 * @param stats     median and range over the repeated runs
 * @param target    the target in words, or "" where it gives none
 * @param verdict   {@link Verdict#NONE} where there is no target
 * @param reference a figure from elsewhere to read this one against, in words (never a verdict), or ""
 */
public record Figure(String key, String name, String unit, Stats stats, String target, Verdict verdict, String reference) {
    public enum Verdict {
        MET, MISSED, NONE;

        static Verdict of(boolean met) {
            return met ? MET : MISSED;
        }
    }

    public static Figure plain(String key, String name, String unit, Stats stats) {
        return new Figure(key, name, unit, stats, "", Verdict.NONE, "");
    }

    /** A figure whose median must reach {@code atLeast}. */
    public static Figure atLeast(String key, String name, String unit, Stats stats, double atLeast, String target) {
        return new Figure(key, name, unit, stats, target, Verdict.of(stats.median() >= atLeast), "");
    }

    /** A figure whose median must not exceed {@code atMost}. */
    public static Figure atMost(String key, String name, String unit, Stats stats, double atMost, String target) {
        return new Figure(key, name, unit, stats, target, Verdict.of(stats.median() <= atMost), "");
    }

    /** A figure shown next to an external reference: measured another day, elsewhere, so no ✓/✗. */
    public static Figure referenced(String key, String name, String unit, Stats stats, ExternalReference reference) {
        return new Figure(key, name, unit, stats, "", Verdict.NONE, reference.describe());
    }
}
