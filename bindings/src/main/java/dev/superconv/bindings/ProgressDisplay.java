package dev.superconv.bindings;

import java.io.PrintWriter;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Where the per-epoch progress bar goes (the seed's "Loss=… Batch_id=… Accuracy=…" line, img/s, ETA). */
@FunctionalInterface
public interface ProgressDisplay {
    /** One epoch's bar; {@code update} gets the images done so far and the seed-style message. */
    interface Bar extends AutoCloseable {
        void update(long imagesDone, String message);

        @Override
        void close();
    }

    Bar start(int epoch, int epochs, long images);

    ProgressDisplay NONE = (epoch, epochs, images) -> new Bar() {
        @Override
        public void update(long imagesDone, String message) {}

        @Override
        public void close() {}
    };

    /**
     * A bar redrawn in place on a terminal; whole lines every tenth of an epoch elsewhere (see
     * {@link dev.superconv.core.Terminal} for how the CLI tells them apart).
     */
    static ProgressDisplay of(PrintWriter out, boolean terminal) {
        return terminal ? console(out) : lines(out, System::nanoTime);
    }

    /** One line each time an epoch passes another tenth, no carriage returns: for logs, pipes and CI. */
    static ProgressDisplay lines(PrintWriter out, LongSupplier nanoClock) {
        return (epoch, epochs, images) -> new LineProgress(out, "Epoch " + epoch + "/" + epochs, images, nanoClock);
    }

    /** A text bar redrawn in place ({@code \r}) on {@code out}, a terminal. */
    static ProgressDisplay console(PrintWriter out) {
        return (epoch, epochs, images) -> {
            ProgressBar bar = new ProgressBarBuilder()
                    .setTaskName("Epoch " + epoch + "/" + epochs)
                    .setInitialMax(images)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUnit(" img", 1)
                    .showSpeed()
                    .setUpdateIntervalMillis(500)
                    .setConsumer(new DelegatingProgressBarConsumer(line -> {
                        out.print('\r' + line);
                        out.flush();
                    }, 150))
                    .build();
            return new Bar() {
                @Override
                public void update(long imagesDone, String message) {
                    bar.stepTo(imagesDone);
                    bar.setExtraMessage(" " + message);
                }

                @Override
                public void close() {
                    bar.close();
                    out.println();
                    out.flush();
                }
            };
        };
    }
}
