package dev.superconv.core.plot;

import dev.superconv.core.io.AtomicFiles;
import dev.superconv.core.schedule.LrSchedule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The seed's "cyclic LR over iterations" plot: LR (left axis) and momentum (right axis) per step. */
public final class SchedulePlot {
    /** Points drawn at most; longer schedules are sampled evenly (the last step always included). */
    static final int MAX_POINTS = 2000;

    private SchedulePlot() {}

    public static XYChart chart(LrSchedule schedule) {
        long total = schedule.totalSteps();
        int n = (int) Math.min(total, MAX_POINTS);
        double[] steps = new double[n];
        double[] lr = new double[n];
        double[] momentum = new double[n];
        for (int i = 0; i < n; i++) {
            long step = n == 1 ? 0 : Math.round((double) i * (total - 1) / (n - 1));
            steps[i] = step;
            lr[i] = schedule.lr(step);
            momentum[i] = schedule.momentum(step);
        }
        XYChart chart = new XYChartBuilder().width(900).height(500)
                .title("Learning rate and momentum over iterations").xAxisTitle("Iteration").yAxisTitle("Learning rate").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideN);
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.setYAxisGroupTitle(1, "Momentum");
        XYSeries lrSeries = chart.addSeries("LR", steps, lr);
        lrSeries.setMarker(SeriesMarkers.NONE);
        XYSeries momentumSeries = chart.addSeries("Momentum", steps, momentum);
        momentumSeries.setMarker(SeriesMarkers.NONE);
        momentumSeries.setYAxisGroup(1);
        return chart;
    }

    public static void write(LrSchedule schedule, Path png) {
        byte[] bytes;
        try {
            bytes = BitmapEncoder.getBitmapBytes(chart(schedule), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the schedule plot: " + e.getMessage(), e);
        }
        AtomicFiles.writeBytes(png, bytes);
    }
}
