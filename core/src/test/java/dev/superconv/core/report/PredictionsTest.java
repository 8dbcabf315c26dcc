package dev.superconv.core.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionsTest {
    @TempDir
    Path dir;

    @Test
    void oneFormatHoldsIndicesAndNames() throws Exception {
        List<String> classes = List.of("cat", "a,b", "say \"hi\"");
        Predictions p = new Predictions(new int[] {0, 1, 2}, new int[] {1, 1, 0}, new double[] {0.5, 0.25, 1.0}, classes);
        Path csv = dir.resolve("predictions.csv");
        p.write(csv);
        assertEquals(List.of("index,label,predicted,confidence,label_name,predicted_name",
                "0,0,1,0.5,cat,\"a,b\"",
                "1,1,1,0.25,\"a,b\",\"a,b\"",
                "2,2,0,1.0,\"say \"\"hi\"\"\",cat"), Files.readAllLines(csv));
        Predictions back = Predictions.read(csv);
        assertArrayEquals(p.labels(), back.labels());
        assertArrayEquals(p.predicted(), back.predicted());
        assertArrayEquals(p.confidence(), back.confidence(), 0);
        assertEquals(classes, back.classes());
    }

    @Test
    void theEarlierFourColumnFormatStillReads() throws Exception {
        Path csv = Files.writeString(dir.resolve("predictions.csv"), "index,label,predicted,confidence\n0,1,1,0.9\n1,0,2,0.8\n\n");
        Predictions p = Predictions.read(csv);
        assertArrayEquals(new int[] {1, 0}, p.labels());
        assertArrayEquals(new int[] {1, 2}, p.predicted());
        assertArrayEquals(new double[] {0.9, 0.8}, p.confidence(), 0);
        assertEquals(List.of(), p.classes());
    }

    @Test
    void namesAreKeptOnlyWhenEveryClassIsNamed() throws Exception {
        Path csv = Files.writeString(dir.resolve("p.csv"), "index,label,predicted,confidence,label_name,predicted_name\n0,0,2,0.5,cat,bird\n");
        assertEquals(List.of(), Predictions.read(csv).classes(), "class 1 never occurs: its name is unknown");
        new Predictions(new int[] {0}, new int[] {1}, new double[] {0.5}).write(csv);
        assertEquals(List.of(), Predictions.read(csv).classes(), "written without names");
    }

    @Test
    void contradictoryOrMalformedRowsAreRefusedWithTheLine() throws Exception {
        Path csv = Files.writeString(dir.resolve("p.csv"), "index,label,predicted,confidence,label_name,predicted_name\n0,0,0,0.5,cat,cat\n1,0,0,0.5,dog,dog\n");
        BadInputException e = assertThrows(BadInputException.class, () -> Predictions.read(csv));
        assertEquals(csv + " line 3: class 0 is named both 'cat' and 'dog'", e.getMessage());
        Files.writeString(csv, "index,label,predicted,confidence,label_name,predicted_name\n0,0,0,0.5\n");
        assertTrue(assertThrows(BadInputException.class, () -> Predictions.read(csv)).getMessage().contains("line 2: expected 6 fields"));
    }
}
