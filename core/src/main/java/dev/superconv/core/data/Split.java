package dev.superconv.core.data;

import dev.superconv.core.BadInputException;
import java.util.Locale;

/** The two splits every data source has. {@link #folder()} is the ImageFolder sub-folder name. */
public enum Split {
    TRAIN,
    TEST;

    public String folder() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Split parse(String name) {
        for (Split s : values()) {
            if (s.folder().equals(name)) {
                return s;
            }
        }
        throw new BadInputException("unknown split '" + name + "' (expected train or test)");
    }
}
