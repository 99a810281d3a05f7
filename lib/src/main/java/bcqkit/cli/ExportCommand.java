package bcqkit.cli;

import bcqkit.io.AtomicFiles;
import bcqkit.io.FormatException;
import bcqkit.nmt.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "export", sortOptions = false,
        description = {"Write the inference-only form of a checkpoint: its FP32 parameters under their stable names,",
                "hparams and vocabulary sizes in __metadata__, no optimizer state. translate and evaluate read it as they read the original.",
                "Given several checkpoints of one run (e.g. the last epochs'), writes the element-wise mean of their parameters instead."})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--checkpoint", required = true, arity = "1..*", paramLabel = "C",
            description = "checkpoint.safetensors written by pretrain; several (space-separated or repeated) are averaged")
    List<Path> checkpoints;

    @Option(names = "--out", required = true, paramLabel = "M", description = "the exported model, e.g. model.safetensors (written atomically)")
    Path out;

    @Override
    public Integer call() throws Exception {
        for (Path c : checkpoints) {
            if (!Files.isRegularFile(c)) throw new FormatException(c, "cannot read: no such file");
            // Replacing a training checkpoint by the export would silently throw away its optimizer state.
            if (Files.exists(out) && Files.isSameFile(c, out))
                throw new ParameterException(spec.commandLine(), "--out " + out + " is one of the checkpoints; choose another file");
        }
        AtomicFiles.checkWritable(out);
        Checkpoint.Info info = checkpoints.size() == 1 ? Checkpoint.export(checkpoints.get(0), out) : Checkpoint.average(checkpoints, out);
        long before = Files.size(checkpoints.get(checkpoints.size() - 1)), after = Files.size(out);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "checkpoints=%d%ncheckpoint=%s%ncheckpoint_bytes=%d%nexport=%s%nexport_bytes=%d%nratio=%.3f%nepoch=%d%nstep=%d%n",
                checkpoints.size(), checkpoints.get(checkpoints.size() - 1), before, out, after, (double) after / before, info.epoch(), info.step());
        o.flush();
        return 0;
    }
}
