package dev.superconv.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real CIFAR-10 JPEG mirror (system property {@code superconv.data.jpeg}). Uses the standard
 * cache, so the 60k-image decode happens once per machine, not once per test run.
 */
class RealDataTest {
    @Test
    void jpegMirrorHasTheCifar10CountsAndStatistics() {
        String dir = System.getProperty("superconv.data.jpeg", "");
        assumeTrue(!dir.isBlank() && Files.isDirectory(Path.of(dir)), "CIFAR-10 JPEG mirror not found at '" + dir + "' (system property superconv.data.jpeg); skipping");
        Splits s = DataSets.load(dir);
        List<String> classes = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");
        assertEquals(classes, s.train().classes());
        DatasetStats train = DatasetStats.of(s.train());
        DatasetStats test = DatasetStats.of(s.test());
        assertEquals(50_000, train.images());
        assertEquals(10_000, test.images());
        Map<String, Integer> perTrain = new LinkedHashMap<>();
        Map<String, Integer> perTest = new LinkedHashMap<>();
        classes.forEach(c -> {
            perTrain.put(c, 5000);
            perTest.put(c, 1000);
        });
        assertEquals(perTrain, train.perClass());
        assertEquals(perTest, test.perClass());
        // The well-known CIFAR-10 train statistics; JPEG q75 re-encoding moves them by < 0.005.
        assertArrayEquals(new double[] {0.4914, 0.4822, 0.4465}, train.mean(), 0.005);
        assertArrayEquals(new double[] {0.2470, 0.2435, 0.2616}, train.std(), 0.005);
    }
}
