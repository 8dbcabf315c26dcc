package dev.superconv.core.model;

/** An option value with the one spelling the CLI flags and the model metadata both use. */
public interface CliName {
    String cliName();
}
