package dev.superconv.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {
    @Test
    void fieldsAreQuotedOnlyWhenTheyMustBe() {
        assertEquals("cat", Csv.field("cat"));
        assertEquals(" #cat", Csv.field(" #cat"));
        assertEquals("\"a,b\"", Csv.field("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", Csv.field("say \"hi\""));
        assertEquals("\"two\nlines\"", Csv.field("two\nlines"));
        assertEquals("\"cr\r\"", Csv.field("cr\r"));
        assertEquals("x,\"a,b\",", Csv.row(List.of("x", "a,b", "")));
    }

    @Test
    void parseReadsBackWhatFieldWrites() {
        List<String> values = List.of("plain", "a,b", "say \"hi\"", "two\nlines", "", " lead");
        String text = Csv.row(values) + "\n" + Csv.row(List.of("1", "2")) + "\r\n";
        assertEquals(List.of(values, List.of("1", "2")), Csv.parse(text));
    }

    @Test
    void parseEdges() {
        assertEquals(List.of(), Csv.parse(""));
        assertEquals(List.of(List.of("a", "b")), Csv.parse("a,b"));
        assertEquals(List.of(List.of("a", ""), List.of("")), Csv.parse("a,\n\n"));
    }
}
