package bcqkit.cli;

import bcqkit.io.BcqFile;
import bcqkit.io.Npy;
import bcqkit.io.SafeTensors;
import bcqkit.quant.BcqMatrix;
import bcqkit.tensor.FloatMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "inspect",
        description = {"Describe a .bcq.safetensors, other safetensors or .npy file.",
                "BCQ files: matrices, bits, scales, bits/weight, tensors; safetensors: tensors and metadata;",
                ".npy: shape, dtype and value statistics."})
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(paramLabel = "FILE", description = ".bcq.safetensors, .safetensors or .npy file")
    Path file;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        if (Npy.hasMagic(file)) describeNpy(o);
        else describeSafeTensors(o);
        o.flush();
        return 0;
    }

    private void describeNpy(PrintWriter o) throws Exception {
        Npy.Header h = Npy.readHeader(file);
        o.printf("file: %s%n", file);
        o.printf("size: %d bytes%n", Files.size(file));
        o.printf("format: npy %d.%d%n", h.major(), h.minor());
        o.printf("dtype: %s%n", h.dtypeName());
        o.printf("shape: %s%n", h.shapeString());
        o.printf("fortran_order: %s%n", h.fortranOrder());
        if (!h.descr().equals("<f4") || h.fortranOrder() || h.shape().length != 2) {
            o.println("stats: not computed (only for float32 C-order matrices)");
            return;
        }
        FloatMatrix m = Npy.readMatrix(file);
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sumSq = 0;
        long nonFinite = 0, finite = 0;
        for (float v : m.data()) {
            if (!Float.isFinite(v)) {
                nonFinite++;
                continue;
            }
            finite++;
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            sumSq += (double) v * v;
        }
        if (finite > 0) {
            double mean = sum / finite, var = Math.max(0, sumSq / finite - mean * mean);
            o.printf(Locale.ROOT, "stats: min %.6g, max %.6g, mean %.6g, std %.6g, rms %.6g%n", min, max, mean, Math.sqrt(var), Math.sqrt(sumSq / finite));
        }
        o.printf("non-finite values: %d%n", nonFinite);
    }

    private void describeSafeTensors(PrintWriter o) throws Exception {
        SafeTensors.Header h = SafeTensors.readHeader(file);
        // Other tools use "format" too (Hugging Face writes "pt"); only bcq-kit values make it a BCQ file.
        boolean bcq = h.metadata().getOrDefault(BcqFile.FORMAT_KEY, "").startsWith("bcq-kit/");
        // Loading validates the whole file (shapes against metadata, padding bits), not just the header.
        BcqFile.Contents c = bcq ? BcqFile.readAll(file) : null;
        o.printf("file: %s%n", file);
        o.printf("size: %d bytes%n", h.fileSize());
        o.printf("format: %s%n", bcq ? BcqFile.FORMAT + " (safetensors)" : "safetensors");
        if (c != null) {
            for (var e : c.matrices().entrySet()) o.println(describe(e.getKey(), e.getValue()));
            for (var e : c.metadata().entrySet()) o.printf("metadata: %s=%s%n", e.getKey(), e.getValue());
        } else {
            for (var e : h.metadata().entrySet()) o.printf("metadata: %s=%s%n", e.getKey(), e.getValue());
        }
        o.printf("tensors: %d%n", h.tensors().size());
        int width = h.tensors().keySet().stream().mapToInt(String::length).max().orElse(0);
        for (Map.Entry<String, SafeTensors.TensorInfo> e : h.tensors().entrySet()) {
            SafeTensors.TensorInfo t = e.getValue();
            o.printf("  %-" + width + "s  %-4s  %-20s  %d bytes%n", e.getKey(), t.dtype(), t.shapeString(), t.byteSize());
        }
    }

    private static String describe(String name, BcqMatrix m) {
        String scales = m.groupSize() == m.cols() ? "per-row scales"
                : "group size " + m.groupSize() + " (" + m.groups() + " groups per row" + (m.cols() % m.groupSize() != 0 ? ", last one partial" : "") + ")";
        return String.format(Locale.ROOT, "matrix%s: %dx%d, %d bit%s, %s, method %s, %s, %.4f bits/weight",
                name.isEmpty() ? "" : " '" + name + "'", m.rows(), m.cols(), m.bits(), m.bits() == 1 ? "" : "s", scales, m.method(),
                m.hasOffset() ? "with offset" : "no offset", m.bitsPerWeight());
    }
}
