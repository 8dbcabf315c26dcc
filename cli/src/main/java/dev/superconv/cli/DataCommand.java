package dev.superconv.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code superconv data}: the parent of {@code data info} and {@code data download}. */
@Command(name = "data", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = "Inspect or download data sets.",
        subcommands = {DataInfoCommand.class, DataDownloadCommand.class})
public final class DataCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: info or download");
    }
}
