package dev.superconv.cli;

import picocli.CommandLine.Option;

/** Options every verb has; add with {@code @Mixin CommonOptions common;}. */
public final class CommonOptions {
    @Option(names = "--verbose", description = "Print stack traces and extra detail on errors.")
    public boolean verbose;
}
