package dev.superconv.cli.reliability;

import dev.superconv.bindings.Natives;
import dev.superconv.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Child-JVM entry point for {@link InferenceVerbsNativesTest}: runs one CLI verb in-process (or, as
 * the test's control, loads libtorch), then writes to {@code REPORT} every mapped file of this
 * process that is libtorch's or JavaCPP's, and exits with the verb's code.
 * Usage: {@code NativeLibrariesProbe REPORT (--load-libtorch | VERB ARGS...)}.
 */
public final class NativeLibrariesProbe {
    static final String LOAD_LIBTORCH = "--load-libtorch";

    private NativeLibrariesProbe() {}

    public static void main(String[] args) throws IOException {
        Path report = Path.of(args[0]);
        String[] verb = Arrays.copyOfRange(args, 1, args.length);
        int code;
        if (verb.length == 1 && verb[0].equals(LOAD_LIBTORCH)) {
            Natives.load();
            code = 0;
        } else {
            code = Main.run(verb);
        }
        Files.write(report, javacppMappings());
        System.exit(code);
    }

    /** Files mapped into this process (from /proc/self/maps) that are libtorch, c10, or anything from the JavaCPP cache. */
    static List<String> javacppMappings() throws IOException {
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir", "\0");
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .map(line -> line.indexOf('/') < 0 ? "" : line.substring(line.indexOf('/')))
                .filter(file -> file.contains("torch") || file.contains("libc10") || file.contains("jnijavacpp") || file.startsWith(cache))
                .distinct()
                .toList();
    }
}
