package bcqkit.notebook;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.FloatColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class DisplayExtensionTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final Pattern ROW = Pattern.compile("<tr>(.*?)</tr>");
    private static final Pattern CELL = Pattern.compile("<t[dh][^>]*>(.*?)</t[dh]>");

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private static Renderer renderer() {
        Renderer r = new Renderer();
        DisplayExtension.register(r);
        return r;
    }

    private static List<List<String>> bodyRows(String html) {
        String body = html.substring(html.indexOf("<tbody>"), html.indexOf("</tbody>"));
        List<List<String>> rows = new ArrayList<>();
        Matcher rm = ROW.matcher(body);
        while (rm.find()) {
            List<String> cells = new ArrayList<>();
            Matcher cm = CELL.matcher(rm.group(1));
            while (cm.find()) cells.add(cm.group(1));
            rows.add(cells);
        }
        return rows;
    }

    private static Table randomTable(Random rnd, int rows, int doubleCols) {
        Table t = Table.create("t" + rows + "x" + doubleCols);
        int[] ids = new int[rows];
        for (int r = 0; r < rows; r++) ids[r] = r * 1_000_003 - 7;
        t.addColumns(IntColumn.create("id", ids));
        for (int c = 0; c < doubleCols; c++) {
            double[] v = new double[rows];
            for (int r = 0; r < rows; r++) {
                double mag = Math.pow(10, rnd.nextInt(24) - 12);
                v[r] = rnd.nextInt(5) == 0 ? Math.round(rnd.nextGaussian() * 1e6) : rnd.nextGaussian() * mag;
            }
            t.addColumns(DoubleColumn.create("d" + c, v));
        }
        return t;
    }

    @Test
    void kernelFindsTheExtensionThroughServiceLoader() {
        boolean found = ServiceLoader.load(Extension.class).stream().anyMatch(p -> p.type() == DisplayExtension.class);
        assertTrue(found, "META-INF/services/org.dflib.jjava.jupyter.Extension does not list DisplayExtension");
    }

    @Test
    void tableRendersAsHtmlAndText() {
        Table t = Table.create("errors").addColumns(
                StringColumn.create("method", "greedy", "alt<2>"), DoubleColumn.create("rel_err", 0.25, 0.0625));
        assertFalse(new Renderer().render(t).hasDataForType(MIMEType.TEXT_HTML), "without the extension there is no HTML");
        DisplayData d = renderer().render(t);
        String html = (String) d.getData(MIMEType.TEXT_HTML);
        assertNotNull(html);
        assertTrue(html.contains("<caption>errors</caption>"), html);
        assertTrue(html.contains("alt&lt;2&gt;"), html);
        assertEquals(List.of(List.of("greedy", "0.25"), List.of("alt&lt;2&gt;", "0.0625")), bodyRows(html));
        String text = (String) d.getData(MIMEType.TEXT_PLAIN);
        assertTrue(text.contains("greedy") && text.contains("rel_err"), text);
    }

    @Test
    void numbersReadBackAccuratelyInEveryShape() {
        Random rnd = new Random(42);
        int[][] shapes = {{1, 1}, {3, 65}, {7, 20}, {17, 3}, {40, 2}, {41, 2}, {1000, 4}};
        for (int[] shape : shapes) {
            int rows = shape[0];
            Table t = randomTable(rnd, rows, shape[1]);
            String html = Html.table(t);
            List<List<String>> body = bodyRows(html);
            boolean cut = rows > Html.MAX_ROWS;
            assertEquals(cut ? Html.HEAD + Html.TAIL + 1 : rows, body.size(), "rows shown for " + rows);
            List<Integer> shown = new ArrayList<>();
            for (int r = 0; r < rows; r++) if (!cut || r < Html.HEAD || r >= rows - Html.TAIL) shown.add(r);
            int line = 0;
            for (int r : shown) {
                if (cut && r == rows - Html.TAIL) {
                    assertTrue(body.get(line).stream().allMatch("…"::equals), body.get(line).toString());
                    line++;
                }
                List<String> cells = body.get(line++);
                assertEquals(t.columnCount(), cells.size());
                assertEquals(t.intColumn("id").getInt(r), Integer.parseInt(cells.get(0)));
                for (int c = 1; c < t.columnCount(); c++) {
                    double v = t.doubleColumn(c).getDouble(r);
                    String s = cells.get(c);
                    double back = Double.parseDouble(s);
                    if (v == Math.rint(v)) {
                        assertEquals(v, back, 0.0, s);
                    } else {
                        assertTrue(s.length() <= 12, "too long: " + s);
                        assertEquals(v, back, Math.abs(v) * 1e-5, s);
                    }
                }
            }
            String note = String.format("%,d row%s", rows, rows == 1 ? "" : "s");
            assertTrue(html.contains(note), note + " missing: " + html.substring(html.lastIndexOf("<p")));
        }
    }

    @Test
    void floatsShowWithoutBinaryNoiseAndMissingCellsAreEmpty() {
        Table t = Table.create("f").addColumns(FloatColumn.create("x", new float[] {0.1f, 1.7f, 123.456f}),
                DoubleColumn.create("y", new double[] {Double.NaN, 1, 2}));
        List<List<String>> body = bodyRows(Html.table(t));
        assertEquals(Arrays.asList("0.1", "1.7", "123.456"), body.stream().map(r -> r.get(0)).toList());
        assertEquals("", body.get(0).get(1));
    }

    @Test
    void chartsRenderAsPngOfTheirSize() throws Exception {
        XYChart xy = new XYChartBuilder().width(320).height(200).title("xy").build();
        xy.addSeries("s", new double[] {1, 2, 3}, new double[] {3, 1, 2});
        CategoryChart cat = new CategoryChartBuilder().width(300).height(240).build();
        cat.addSeries("c", List.of("a", "b"), List.of(1, 2));
        HeatMapChart heat = new HeatMapChartBuilder().width(250).height(250).build();
        heat.addSeries("h", new int[] {0, 1}, new int[] {0, 1}, new int[][] {{0, 0, 1}, {1, 1, 2}});
        Renderer r = renderer();
        for (Chart<?, ?> chart : List.<Chart<?, ?>>of(xy, cat, heat)) {
            DisplayData d = r.render(chart);
            byte[] png = Base64.getDecoder().decode((String) d.getData(MIMEType.IMAGE_PNG));
            assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(png, PNG_SIGNATURE.length), chart.getClass().getSimpleName());
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(chart.getWidth(), img.getWidth());
            assertEquals(chart.getHeight(), img.getHeight());
            assertTrue(((String) d.getData(MIMEType.TEXT_PLAIN)).startsWith(chart.getClass().getSimpleName()));
        }
    }
}
