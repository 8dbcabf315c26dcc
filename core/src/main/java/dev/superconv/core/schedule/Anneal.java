package dev.superconv.core.schedule;

import dev.superconv.core.BadInputException;
import java.util.Locale;

/** How a one-cycle phase moves from its start value to its end value as {@code pct} goes 0 → 1. */
public enum Anneal {
    /** {@code end + (start − end)/2 · (cos(π·pct) + 1)}: PyTorch's {@code _annealing_cos}. */
    COS {
        @Override
        public double apply(double start, double end, double pct) {
            double cosOut = Math.cos(Math.PI * pct) + 1;
            return end + (start - end) / 2.0 * cosOut;
        }
    },
    /** {@code (end − start)·pct + start}: PyTorch's {@code _annealing_linear}, same operation order. */
    LINEAR {
        @Override
        public double apply(double start, double end, double pct) {
            return (end - start) * pct + start;
        }
    };

    public abstract double apply(double start, double end, double pct);

    public String flag() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Anneal parse(String text) {
        for (Anneal a : values()) {
            if (a.flag().equalsIgnoreCase(text.strip())) {
                return a;
            }
        }
        throw new BadInputException("--anneal must be cos or linear, got '" + text + "'");
    }
}
