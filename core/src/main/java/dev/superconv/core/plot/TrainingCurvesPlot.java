package dev.superconv.core.plot;

import dev.superconv.core.report.EpochMetrics;
import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Training curves of a run, one PNG with two panels: loss (train, test) and accuracy (train, test)
 * per epoch, each with the epoch's learning rate on a second Y axis so the one-cycle shape can be
 * read against the curves.
 */
public final class TrainingCurvesPlot {
    public static final int PANEL_WIDTH = 600;
    public static final int HEIGHT = 420;
    public static final int WIDTH = 2 * PANEL_WIDTH;

    static final Color TRAIN = new Color(31, 119, 180);
    static final Color TEST = new Color(255, 127, 14);
    static final Color LR = new Color(120, 120, 120);

    private TrainingCurvesPlot() {}

    public static void write(List<EpochMetrics> epochs, Path png) {
        if (epochs.isEmpty()) {
            throw new IllegalArgumentException("no epochs to plot");
        }
        int n = epochs.size();
        double[] x = new double[n];
        double[] lr = new double[n];
        double[] trainLoss = new double[n];
        double[] testLoss = new double[n];
        double[] trainAcc = new double[n];
        double[] testAcc = new double[n];
        for (int i = 0; i < n; i++) {
            EpochMetrics e = epochs.get(i);
            x[i] = e.epoch();
            lr[i] = e.lr();
            trainLoss[i] = e.trainLoss();
            testLoss[i] = e.testLoss();
            trainAcc[i] = 100 * e.trainAcc();
            testAcc[i] = 100 * e.testAcc();
        }
        XYChart loss = panel("Loss", "cross-entropy");
        line(loss, "train loss", x, trainLoss, TRAIN);
        line(loss, "test loss", x, testLoss, TEST);
        lrAxis(loss, x, lr);
        XYChart acc = panel("Accuracy", "accuracy (%)");
        line(acc, "train acc", x, trainAcc, TRAIN);
        line(acc, "test acc", x, testAcc, TEST);
        lrAxis(acc, x, lr);
        ChartFiles.writePngRow(List.of(loss, acc), png);
    }

    private static XYChart panel(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(PANEL_WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        c.setYAxisGroupTitle(1, "learning rate");
        Styler s = c.getStyler();
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        c.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        c.getStyler().setXAxisDecimalPattern("0");
        c.getStyler().putYAxisGroupDecimalPatternMap(1, "0.0E0");
        return c;
    }

    private static void line(XYChart c, String name, double[] x, double[] y, Color color) {
        XYSeries s = c.addSeries(name, x, y);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setMarker(SeriesMarkers.CIRCLE);
    }

    private static void lrAxis(XYChart c, double[] x, double[] lr) {
        XYSeries s = c.addSeries("lr", x, lr);
        s.setYAxisGroup(1);
        s.setLineColor(LR);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f));
    }
}
