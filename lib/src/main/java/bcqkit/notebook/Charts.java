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

    /** A column as doubles; the error names the column and lists the ones there are. */
    public static double[] numbers(Table t, String column) {
        if (!t.columnNames().contains(column))
            throw new IllegalArgumentException("table '" + t.name() + "' has no column '" + column + "'; it has " + t.columnNames());
        return ((NumericColumn<?>) t.column(column)).asDoubleArray();
    }
}
