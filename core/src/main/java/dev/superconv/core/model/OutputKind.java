package dev.superconv.core.model;

/** What an exported graph returns: what {@code export --output} builds and the metadata's {@code output} names. */
public enum OutputKind implements CliName {
    LOGITS("logits"),
    /** Softmax probabilities. */
    PROBS("probs");

    private final String cliName;

    OutputKind(String cliName) {
        this.cliName = cliName;
    }

    @Override
    public String cliName() {
        return cliName;
    }
}
