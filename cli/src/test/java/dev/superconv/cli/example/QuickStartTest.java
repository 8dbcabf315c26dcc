package dev.superconv.cli.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Java API example: it is this test's sibling file, verbatim, and it runs. */
class QuickStartTest {
    private static final Path ROOT = Path.of(System.getProperty("maven.multiModuleProjectDirectory", "..")).toAbsolutePath();

    @Test
    void readmeShowsTheExampleVerbatim() throws Exception {
        Path readme = ROOT.resolve("README.md");
        Path source = ROOT.resolve("cli/src/test/java/dev/superconv/cli/example/QuickStart.java");
        assumeTrue(Files.isRegularFile(readme) && Files.isRegularFile(source), "run from the project root");
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(readme));
        assertTrue(m.find(), "README has a java block");
        String body = Files.readString(source);
        String fromClass = body.substring(body.indexOf("/** data"));
        assertEquals(fromClass.strip(), m.group(1).strip().substring(m.group(1).strip().indexOf("/** data")));
    }

    @Test
    void runsEndToEndOnRealData(@TempDir Path tmp) throws Exception {
        Path data = Path.of(System.getProperty("superconv.data.jpeg", "../shared/data/cifar10-jpeg"));
        assumeTrue(Files.isDirectory(data), "real CIFAR-10 JPEG mirror not present at " + data);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            QuickStart.main(new String[] {data.toString(), tmp.resolve("run").toString(), "4096"});
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("ONNX Runtime"), out);
        assertTrue(Files.isRegularFile(tmp.resolve("run/model.onnx")));
        assertTrue(Files.isRegularFile(tmp.resolve("run/report.html")));
    }
}
