package dev.superconv.bindings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.Loader;

/** Versions and the source revision recorded in a run's config.json. */
final class BuildInfo {
    private BuildInfo() {}

    /** HEAD of the git work tree containing the current directory, read from .git; "unknown" outside one. */
    static String gitSha() {
        try {
            for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
                Path git = dir.resolve(".git");
                if (Files.isDirectory(git)) {
                    String head = Files.readString(git.resolve("HEAD")).strip();
                    if (!head.startsWith("ref: ")) {
                        return head;
                    }
                    String ref = head.substring(5);
                    Path loose = git.resolve(ref);
                    if (Files.exists(loose)) {
                        return Files.readString(loose).strip();
                    }
                    Path packed = git.resolve("packed-refs");
                    if (Files.exists(packed)) {
                        for (String line : Files.readAllLines(packed)) {
                            if (line.endsWith(" " + ref)) {
                                return line.substring(0, line.indexOf(' '));
                            }
                        }
                    }
                    return "unknown";
                }
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "unknown";
    }

    static String pytorchVersion() {
        try {
            String v = Loader.getVersion("org.bytedeco", "pytorch");
            return v == null ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String superconvVersion() {
        String v = BuildInfo.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
