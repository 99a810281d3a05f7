"""Integration tests of the configured `java` kernel: lib on its classpath, the display extension,
Progress displays, BCQ_PROFILE, and bin/run-notebooks. Needs `make kernel` first (make test does it).
"""
import base64
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "bin" / "run-notebooks"

TABLE_CELL = """\
Table t = Table.create("errors").addColumns(
    IntColumn.create("bits", new int[] {1, 2, 3}),
    DoubleColumn.create("rel_err", new double[] {0.5, 0.25, 0.125}));
t"""
CHART_CELL = """\
XYChart c = new XYChartBuilder().width(320).height(200).title("error").build();
c.addSeries("greedy", new double[] {1, 2, 3}, new double[] {0.5, 0.25, 0.125});
c"""
# Slow enough (about 1.5 s on 2 cores) for throttled updates to happen, from pool threads.
PROGRESS_CELL = """\
try (Progress p = Progress.start("rows", 120, "rows")) {
    IntStream.range(0, 120).parallel().forEach(i -> {
        try { Thread.sleep(25); } catch (InterruptedException e) { throw new RuntimeException(e); }
        p.advance();
    });
}"""
PROFILE_CELL = 'System.getenv("BCQ_PROFILE") + "/" + Profile.current().id()'


def notebook(*sources):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def outputs(nb, index, output_type=None):
    return [o for o in nb.cells[index].outputs if output_type is None or o.output_type == output_type]


class RecordingClient(NotebookClient):
    """Keeps the type of every iopub message, which the saved notebook no longer shows."""

    def __init__(self, nb, **kw):
        super().__init__(nb, **kw)
        self.seen = []

    def process_message(self, msg, cell, cell_index):
        self.seen.append((cell_index, msg["msg_type"]))
        return super().process_message(msg, cell, cell_index)


class KernelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="bcq-kernel-test-")
        cls.dir = Path(cls.tmp.name)
        cls.nb = notebook(TABLE_CELL, CHART_CELL, PROGRESS_CELL, PROFILE_CELL, "Kit.home().toString()",
                          'System.getProperty("java.home")')
        saved = os.environ.get("BCQ_PROFILE")
        os.environ["BCQ_PROFILE"] = "smoke"  # inherited by the kernel process
        try:
            cls.client = RecordingClient(cls.nb, kernel_name="java", timeout=300, startup_timeout=300,
                                         resources={"metadata": {"path": str(cls.dir)}})
            cls.client.execute()
        finally:
            if saved is None:
                os.environ.pop("BCQ_PROFILE")
            else:
                os.environ["BCQ_PROFILE"] = saved

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_table_shows_as_html_without_display_call(self):
        (result,) = outputs(self.nb, 0, "execute_result")
        html = result.data.get("text/html", "")
        self.assertIn("<table>", html, "no text/html: is DisplayExtension registered in META-INF/services?")
        for text in ("bits", "rel_err", "0.125", "3 rows"):
            self.assertIn(text, html)
        self.assertIn("text/plain", result.data)

    def test_chart_shows_as_png(self):
        (result,) = outputs(self.nb, 1, "execute_result")
        self.assertIn("image/png", result.data, "no image/png: is DisplayExtension registered?")
        self.assertEqual(base64.b64decode(result.data["image/png"])[:8], b"\x89PNG\r\n\x1a\n")

    def test_progress_updates_one_display(self):
        kinds = [t for i, t in self.client.seen if i == 2]
        self.assertEqual(kinds.count("display_data"), 1, kinds)
        self.assertGreaterEqual(kinds.count("update_display_data"), 2, kinds)
        (shown,) = outputs(self.nb, 2, "display_data")
        self.assertIn("rows: 120/120 rows (100.0%)", shown.data["text/plain"])
        self.assertIn("<progress", shown.data["text/html"])

    def test_profile_reaches_the_kernel(self):
        (result,) = outputs(self.nb, 3, "execute_result")
        self.assertEqual(result.data["text/plain"], "smoke/smoke")

    def test_kernel_knows_the_checkout(self):
        (result,) = outputs(self.nb, 4, "execute_result")
        self.assertEqual(Path(result.data["text/plain"]).resolve(), ROOT.resolve())

    def test_kernel_runs_on_the_kits_jdk(self):
        (result,) = outputs(self.nb, 5, "execute_result")
        expected = subprocess.run([str(ROOT / "bin" / "jdk")], capture_output=True, text=True, check=True).stdout.strip()
        self.assertEqual(Path(result.data["text/plain"].strip('"')).resolve(), Path(expected).resolve())


class RunNotebooksTest(unittest.TestCase):
    def run_runner(self, *args, profile="smoke"):
        env = dict(os.environ, BCQ_PROFILE=profile)
        return subprocess.run([sys.executable, str(RUNNER), *map(str, args)], env=env, capture_output=True, text=True)

    def test_stops_at_the_first_failing_cell_and_keeps_partial_output(self):
        with tempfile.TemporaryDirectory(prefix="bcq-runner-test-") as tmp:
            tmp = Path(tmp)
            ok, bad, never = tmp / "01-ok.ipynb", tmp / "02-bad.ipynb", tmp / "03-never.ipynb"
            nbformat.write(notebook('System.getenv("BCQ_PROFILE")'), ok)
            nbformat.write(notebook("int x = 6 * 7;\nx",
                                    'if (x == 42) throw new IllegalStateException("boom at " + x);',
                                    "x + 1"), bad)
            nbformat.write(notebook("1"), never)
            out = tmp / "out"
            r = self.run_runner(ok, bad, never, "--out", out, profile="quick")

            self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("02-bad.ipynb: cell 1 (0-based, starting 'if (x == 42)", r.stderr)
            self.assertIn("boom at 42", r.stderr)
            self.assertIn("ok     01-ok.ipynb", r.stdout)
            self.assertFalse((out / "03-never.ipynb").exists(), "ran past the failure")

            first = nbformat.read(out / "01-ok.ipynb", as_version=4)
            self.assertEqual(outputs(first, 0, "execute_result")[0].data["text/plain"], "quick")
            partial = nbformat.read(out / "02-bad.ipynb", as_version=4)
            self.assertEqual(outputs(partial, 0, "execute_result")[0].data["text/plain"], "42")
            self.assertTrue(outputs(partial, 1, "error"))
            self.assertEqual(outputs(partial, 2), [])
            self.assertEqual(sorted(p.name for p in out.iterdir()), ["01-ok.ipynb", "02-bad.ipynb"], "temp files left behind")

    def test_missing_notebook_is_an_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            r = self.run_runner(Path(tmp) / "missing.ipynb")
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("missing.ipynb", r.stderr)

    def test_rejects_an_unknown_profile(self):
        r = self.run_runner("--allow-empty", profile="fastest")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("BCQ_PROFILE='fastest'", r.stderr)


if __name__ == "__main__":
    unittest.main()
