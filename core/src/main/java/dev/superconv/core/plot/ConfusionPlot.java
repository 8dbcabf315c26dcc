package dev.superconv.core.plot;

import dev.superconv.core.metrics.Confusion;
import java.awt.Color;
import java.awt.Font;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Confusion matrix heat map (true class down, predicted class across, the count in every cell)
 * beside a bar chart of per-class accuracy, in one PNG.
 */
public final class ConfusionPlot {
    public static final int HEAT_WIDTH = 680;
    public static final int BAR_WIDTH = 520;
    public static final int WIDTH = HEAT_WIDTH + BAR_WIDTH;
    public static final int HEIGHT = 600;

    private ConfusionPlot() {}

    public static void write(Confusion confusion, Path png) {
        ChartFiles.writePngRow(List.of(heatMap(confusion), accuracyBars(confusion)), png);
    }

    static HeatMapChart heatMap(Confusion cm) {
        int k = cm.classCount();
        HeatMapChart chart = new HeatMapChartBuilder().width(HEAT_WIDTH).height(HEIGHT)
                .title(String.format("Confusion matrix (accuracy %.2f %%)", 100 * cm.accuracy()))
                .xAxisTitle("predicted").yAxisTitle("true").build();
        // The heat map's Y axis grows upwards; listing the classes in reverse puts class 0 on top,
        // the way confusion matrices are read.
        List<String> predicted = new ArrayList<>(cm.classes());
        List<String> trueTopDown = new ArrayList<>(cm.classes().reversed());
        List<Number[]> cells = new ArrayList<>(k * k);
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                cells.add(new Number[] {p, k - 1 - t, cm.count(t, p)});
            }
        }
        chart.addSeries("count", predicted, trueTopDown, cells);
        var s = chart.getStyler();
        s.setShowValue(true);
        s.setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, k > 12 ? 9 : 12));
        s.setValueFontColor(Color.BLACK);
        s.setHeatMapValueDecimalPattern("0");
        s.setMin(0);
        s.setMax(Math.max(1, cm.maxCount()));
        // Light ramp so the black counts stay readable in every cell.
        s.setRangeColors(new Color[] {new Color(247, 251, 255), new Color(158, 202, 225), new Color(66, 146, 198)});
        s.setDrawBorder(true);
        s.setXAxisLabelRotation(45);
        s.setLegendVisible(true);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotContentSize(0.98);
        return chart;
    }

    static CategoryChart accuracyBars(Confusion cm) {
        CategoryChart chart = new CategoryChartBuilder().width(BAR_WIDTH).height(HEIGHT)
                .title("Per-class accuracy").xAxisTitle("class").yAxisTitle("accuracy (%)").build();
        List<Double> acc = new ArrayList<>();
        for (double a : cm.classAccuracies()) {
            acc.add(Double.isNaN(a) ? 0.0 : 100 * a);
        }
        CategorySeries series = chart.addSeries("accuracy", cm.classes(), acc);
        series.setFillColor(new Color(49, 130, 189));
        var s = chart.getStyler();
        s.setLegendVisible(false);
        s.setYAxisMin(0.0);
        s.setYAxisMax(100.0);
        s.setXAxisLabelRotation(45);
        s.setLabelsVisible(true);
        s.setLabelsRotation(0);
        s.setLabelsPosition(0.93);
        s.setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setYAxisDecimalPattern("0");
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        return chart;
    }
}
