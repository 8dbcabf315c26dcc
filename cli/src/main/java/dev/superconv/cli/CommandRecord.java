package dev.superconv.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.run.RunDirectory;
import dev.superconv.core.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Adds the exact command line to a run's config.json ({@code "command": ["superconv", "train", ...]})
 * so the report can show how to reproduce the run. The first invocation is kept: a --resume does
 * not replace it.
 */
final class CommandRecord {
    private CommandRecord() {}

    static void record(RunDirectory files, CommandSpec verb) {
        if (!Files.isRegularFile(files.config())) {
            return;
        }
        ObjectMapper json = new ObjectMapper();
        try {
            JsonNode config = json.readTree(files.config().toFile());
            if (!(config instanceof ObjectNode o) || o.has("command")) {
                return;
            }
            ArrayNode words = o.putArray("command");
            words.add("superconv");
            // the parse result of a subcommand holds the whole command line, verb included
            List<String> args = verb.commandLine().getParseResult().originalArgs();
            if (args.isEmpty() || !args.getFirst().equals(verb.name())) {
                words.add(verb.name());
            }
            args.forEach(words::add);
            AtomicFiles.writeString(files.config(), o.toPrettyString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update " + files.config() + ": " + e.getMessage(), e);
        }
    }
}
