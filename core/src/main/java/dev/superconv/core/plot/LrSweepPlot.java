package dev.superconv.core.plot;

import java.awt.Color;
import java.nio.file.Path;
import java.util.Locale;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Max-LR sweep: final test accuracy against the one-cycle peak LR (log axis), best marked. */
public final class LrSweepPlot {
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;

    private LrSweepPlot() {}

    /** {@code maxLrs} ascending or not; {@code testAcc} fractions in [0, 1]. */
    public static void write(double[] maxLrs, double[] testAcc, int epochs, Path png) {
        if (maxLrs.length == 0 || maxLrs.length != testAcc.length) {
            throw new IllegalArgumentException(maxLrs.length + " LRs but " + testAcc.length + " accuracies");
        }
        int n = maxLrs.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(maxLrs[a], maxLrs[b]));
        double[] x = new double[n];
        double[] y = new double[n];
        int best = 0;
        for (int i = 0; i < n; i++) {
            x[i] = maxLrs[order[i]];
            y[i] = 100 * testAcc[order[i]];
            if (y[i] > y[best]) {
                best = i;
            }
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(String.format(Locale.ROOT, "Max-LR sweep: test accuracy after %d epoch%s of one-cycle", epochs, epochs == 1 ? "" : "s"))
                .xAxisTitle("max learning rate (log scale)").yAxisTitle("test accuracy (%)").build();
        var s = chart.getStyler();
        s.setXAxisLogarithmic(true);
        s.setXAxisDecimalPattern("0.###");
        s.setYAxisDecimalPattern("0.0");
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setMarkerSize(10);
        double lo = x[0];
        double hi = x[n - 1];
        s.setXAxisMin(lo / 1.5);
        s.setXAxisMax(hi * 1.5);
        XYSeries line = chart.addSeries("test accuracy", x, y);
        line.setMarker(SeriesMarkers.CIRCLE);
        line.setLineColor(new Color(31, 119, 180));
        line.setMarkerColor(new Color(31, 119, 180));
        XYSeries top = chart.addSeries(String.format(Locale.ROOT, "best: max LR %s (%.2f %%)", fmt(x[best]), y[best]),
                new double[] {x[best]}, new double[] {y[best]});
        top.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        top.setMarker(SeriesMarkers.DIAMOND);
        top.setMarkerColor(new Color(214, 39, 40));
        double yLo = Double.POSITIVE_INFINITY;
        double yHi = Double.NEGATIVE_INFINITY;
        for (double v : y) {
            yLo = Math.min(yLo, v);
            yHi = Math.max(yHi, v);
        }
        double pad = Math.max(1.0, 0.15 * (yHi - yLo));
        s.setYAxisMin(Math.max(0, yLo - pad));
        s.setYAxisMax(Math.min(100, yHi + pad));
        // A log axis only labels decades; name every swept LR next to its point.
        for (int i = 0; i < n; i++) {
            chart.addAnnotation(new AnnotationText(fmt(x[i]), x[i], y[i] + 0.45 * pad, false));
        }
        ChartFiles.writePng(chart, png);
    }

    private static String fmt(double v) {
        return java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }
}
