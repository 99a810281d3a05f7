package bcqkit.notebook;

import java.util.UUID;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * Shows a {@link Progress} as one Jupyter display that each update replaces. Only touched after
 * {@link Progress} has checked that the JJava classes exist, so the CLI never loads it.
 */
final class NotebookSink implements Progress.Sink {
    private final BaseKernel kernel;
    private final String displayId = "bcq-progress-" + UUID.randomUUID();
    private boolean shown;

    private NotebookSink(BaseKernel kernel) {
        this.kernel = kernel;
    }

    /** A kernel exists and a cell is executing, so displays reach the notebook. */
    static boolean available() {
        BaseKernel k;
        try {
            k = BaseKernel.notebookKernel();
        } catch (NullPointerException noKernel) {
            // JJava's way of saying "no kernel in this JVM" (requireNonNull on its static field).
            return false;
        }
        return k != null && k.getIO().display.isAttached();
    }

    static Progress.Sink create() {
        return new NotebookSink(BaseKernel.notebookKernel());
    }

    @Override
    public void show(String text, String html, boolean last) {
        DisplayData data = new DisplayData(text);
        data.putHTML(html);
        data.setDisplayId(displayId);
        if (shown) {
            kernel.getIO().display.updateDisplay(displayId, data);
        } else {
            kernel.display(data);
            shown = true;
        }
    }
}
