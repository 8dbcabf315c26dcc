package dev.superconv.core;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Whether standard error reaches a terminal. There a progress bar redraws in place; anywhere else
 * (a log file, a pipe, CI) carriage-return frames would pile up, so progress prints whole lines.
 * {@code System.console().isTerminal()} is not the test: it asks about stdin and stdout, not stderr.
 */
public final class Terminal {
    /**
     * Set to true or false by the {@code superconv} launcher, which pipes stderr through a filter and
     * so hides the terminal from this process; when absent, stderr (fd 2) is asked with isatty(3).
     */
    public static final String STDERR_PROPERTY = "superconv.stderr.terminal";

    private Terminal() {}

    public static boolean stderr() {
        String told = System.getProperty(STDERR_PROPERTY);
        return told != null ? Boolean.parseBoolean(told.strip()) : isatty(2);
    }

    /** libc's isatty through the FFM API; false where it cannot be called (no libc, native access denied). */
    static boolean isatty(int fd) {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle isatty = linker.downcallHandle(linker.defaultLookup().find("isatty").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            return (int) isatty.invokeExact(fd) == 1;
        } catch (Throwable e) {
            return false; // not knowing is "not a terminal": whole lines are readable anywhere
        }
    }
}
