package dev.superconv.core.plot;

import dev.superconv.core.metrics.LrFinderResult;
import dev.superconv.core.metrics.LrSuggestion;
import java.awt.Color;
import java.nio.file.Path;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** LR range test: raw and smoothed loss against the learning rate (log axis), suggestions marked. */
public final class LrFinderPlot {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 560;

    private static final Color[] MARK_COLORS = {new Color(214, 39, 40), new Color(44, 160, 44), new Color(148, 103, 189), new Color(140, 86, 75)};
    private static final Marker[] MARKS = {SeriesMarkers.DIAMOND, SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.SQUARE, SeriesMarkers.CIRCLE};

    private LrFinderPlot() {}

    public static void write(LrFinderResult r, Path png) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(String.format(Locale.ROOT, "LR range test (%d steps, stopped: %s)", r.steps(), r.stop().name().toLowerCase(Locale.ROOT)))
                .xAxisTitle("learning rate (log scale)").yAxisTitle("training loss").build();
        var s = chart.getStyler();
        s.setXAxisLogarithmic(true);
        s.setXAxisDecimalPattern("0.0E0");
        s.setLegendPosition(Styler.LegendPosition.InsideNW);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setMarkerSize(11);
        // The blow-up at the end would squash the interesting part: show up to a little above the
        // loss the test started from, the region where the suggestions live.
        double lo = Double.POSITIVE_INFINITY;
        int bottom = r.minimumIndex();
        for (int i = 0; i < r.steps(); i++) {
            lo = Math.min(lo, r.smoothed()[i]);
            if (i <= bottom) {
                lo = Math.min(lo, r.losses()[i]); // raw losses on the way down stay in view
            }
        }
        double hi = Math.max(r.smoothed()[0], r.losses()[0]);
        double pad = Math.max(0.05 * Math.abs(hi), hi - lo);
        s.setYAxisMin(lo - 0.1 * pad);
        s.setYAxisMax(hi + 0.3 * pad);
        s.setXAxisMin(r.range().startLr());
        s.setXAxisMax(r.range().endLr());

        XYSeries raw = chart.addSeries("loss", r.lrs(), r.losses());
        raw.setMarker(SeriesMarkers.NONE);
        raw.setLineColor(new Color(174, 199, 232));
        XYSeries smooth = chart.addSeries("smoothed loss", r.lrs(), r.smoothed());
        smooth.setMarker(SeriesMarkers.NONE);
        smooth.setLineColor(new Color(31, 119, 180));
        smooth.setLineWidth(2.5f);
        int k = 0;
        for (LrSuggestion sug : r.suggestions()) {
            double y = r.smoothedAt(sug.lr());
            XYSeries m = chart.addSeries(String.format(Locale.ROOT, "%s %.2e", sug.name(), sug.lr()), new double[] {sug.lr()}, new double[] {y});
            m.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            m.setMarker(MARKS[k % MARKS.length]);
            m.setMarkerColor(MARK_COLORS[k % MARK_COLORS.length]);
            k++;
        }
        ChartFiles.writePng(chart, png);
    }
}
