package dev.superconv.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The non-terminal progress display: a whole line per tenth of an epoch, nothing redrawn. */
class LineProgressTest {
    @Test
    void printsOneLinePerTenthWithSpeedAndEta() {
        StringWriter text = new StringWriter();
        AtomicLong nanos = new AtomicLong();
        ProgressDisplay display = ProgressDisplay.lines(new PrintWriter(text), nanos::get);
        try (ProgressDisplay.Bar bar = display.start(2, 3, 1000)) {
            for (int batch = 1; batch <= 40; batch++) { // 40 batches of 25 images, 0.25 s each: 100 img/s
                nanos.addAndGet(250_000_000L);
                bar.update(25L * batch, "Loss=0.5000 Batch_id=" + (batch - 1) + " Accuracy=50.00");
            }
        }
        List<String> lines = text.toString().lines().toList();
        assertFalse(text.toString().contains("\r"));
        assertEquals(10, lines.size(), text.toString());
        assertEquals("Epoch 2/3  10% 100/1000 img, 100 img/s, ETA 0:09  Loss=0.5000 Batch_id=3 Accuracy=50.00", lines.get(0));
        assertEquals("Epoch 2/3  50% 500/1000 img, 100 img/s, ETA 0:05  Loss=0.5000 Batch_id=19 Accuracy=50.00", lines.get(4));
        assertEquals("Epoch 2/3 100% 1000/1000 img, 100 img/s, ETA 0:00  Loss=0.5000 Batch_id=39 Accuracy=50.00", lines.get(9));
    }

    @Test
    void bigBatchesPrintOneLinePerUpdateAtMostAndAStoppedEpochNothingMore() {
        StringWriter text = new StringWriter();
        AtomicLong nanos = new AtomicLong();
        try (ProgressDisplay.Bar bar = ProgressDisplay.lines(new PrintWriter(text), nanos::get).start(1, 1, 100)) {
            nanos.addAndGet(1_000_000_000L);
            bar.update(35, "first"); // the first update has no speed yet: a resumed epoch starts part-way
            nanos.addAndGet(1_000_000_000L);
            bar.update(70, "second");
        }
        assertEquals(List.of("Epoch 1/1  35% 35/100 img  first", "Epoch 1/1  70% 70/100 img, 35 img/s, ETA 0:01  second"),
                text.toString().lines().toList());
    }

    @Test
    void clockFormatsMinutesAndHours() {
        assertEquals("0:09", LineProgress.clock(9.4));
        assertEquals("2:05", LineProgress.clock(125));
        assertEquals("1:00:01", LineProgress.clock(3601));
    }
}
