package dev.superconv.bench;

/** Output checks that run before a figure is timed, so a fast wrong kernel fails instead of scoring. */
public final class Checks {
    private Checks() {}

    public static void that(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark output check failed: " + what);
        }
    }
}
