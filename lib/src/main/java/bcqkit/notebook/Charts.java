package bcqkit.notebook;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;

/** Charts shared by the notebooks; the kernel's display extension renders any of them inline as PNG. */
public final class Charts {
    public static final int WIDTH = 760, HEIGHT = 400;

    private Charts() {}

    /**
     * Training and validation curves of one metric ({@code loss} or {@code acc}) by epoch, from a
     * trainer metrics table (columns {@code epoch}, {@code train_<metric>}, {@code val_<metric>}).
     */
    public static XYChart trainingCurves(Table metrics, String metric, String title) {
        double[] epochs = numbers(metrics, "epoch");
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch").yAxisTitle(metric).build();
        for (String split : new String[] {"train", "val"}) {
            XYSeries s = c.addSeries(split, epochs, numbers(metrics, split + "_" + metric));
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        return c;
    }

    /**
     * Adds a run's validation accuracy by epoch to {@code chart}, and marks with dots the epochs in which
     * {@code events} (one row per quantization, column {@code epoch}) record that the weights were quantized.
     */
    public static void validationWithEvents(XYChart chart, String label, Table metrics, Table events) {
        double[] epochs = numbers(metrics, "epoch"), acc = numbers(metrics, "val_acc");
        chart.addSeries(label, epochs, acc).setMarker(SeriesMarkers.NONE);
        java.util.Set<Double> quantized = new java.util.HashSet<>();
        for (double e : numbers(events, "epoch")) quantized.add(e);
        java.util.List<double[]> marks = new java.util.ArrayList<>();
        for (int i = 0; i < epochs.length; i++) if (quantized.contains(epochs[i])) marks.add(new double[] {epochs[i], acc[i]});
        if (marks.isEmpty()) return;
        chart.addSeries(label + " · quantized", marks.stream().mapToDouble(m -> m[0]).toArray(), marks.stream().mapToDouble(m -> m[1]).toArray())
                .setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    }

    /**
     * A column as doubles. Text columns are parsed, since a CSV column that mixes numbers with words (e.g. bits
     * "3" and "mixed") reads as text; errors name the column and the value, and list the columns there are.
     */
    public static double[] numbers(Table t, String column) {
        if (!t.columnNames().contains(column))
            throw new IllegalArgumentException("table '" + t.name() + "' has no column '" + column + "'; it has " + t.columnNames());
        if (t.column(column) instanceof NumericColumn<?> n) return n.asDoubleArray();
        double[] out = new double[t.rowCount()];
        for (int i = 0; i < out.length; i++) {
            String v = t.column(column).getString(i);
            try {
                out[i] = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("table '" + t.name() + "', column '" + column + "', row " + i + ": '" + v + "' is not a number");
            }
        }
        return out;
    }
}
