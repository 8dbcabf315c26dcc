package dev.superconv.core.model;

import dev.superconv.core.BadInputException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** An option value with the one spelling the CLI flags and the model metadata both use. */
public interface CliName {
    String cliName();

    /** The constant of {@code type} spelled {@code text}; else bad input naming {@code option} and the valid spellings. */
    static <E extends Enum<E> & CliName> E parse(Class<E> type, String option, String text) {
        for (E e : type.getEnumConstants()) {
            if (e.cliName().equals(text)) {
                return e;
            }
        }
        String valid = Arrays.stream(type.getEnumConstants()).map(CliName::cliName).collect(Collectors.joining(", "));
        throw new BadInputException(option + " must be one of " + valid + ", got '" + text + "'");
    }
}
