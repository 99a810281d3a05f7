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
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "export", sortOptions = false,
        description = {"Write the inference-only form of a checkpoint: its FP32 parameters under their stable names,",
                "hparams and vocabulary sizes in __metadata__, no optimizer state. translate and evaluate read it as they read the original."})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--checkpoint", required = true, paramLabel = "C", description = "checkpoint.safetensors written by pretrain")
    Path checkpoint;

    @Option(names = "--out", required = true, paramLabel = "M", description = "the exported model, e.g. model.safetensors (written atomically)")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(checkpoint)) throw new FormatException(checkpoint, "cannot read: no such file");
        // Replacing the training checkpoint by its export would silently throw away the optimizer state.
        if (Files.exists(out) && Files.isSameFile(checkpoint, out))
            throw new ParameterException(spec.commandLine(), "--out " + out + " is the checkpoint itself; choose another file");
        AtomicFiles.checkWritable(out);
        Checkpoint.Info info = Checkpoint.export(checkpoint, out);
        long before = Files.size(checkpoint), after = Files.size(out);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "checkpoint=%s%ncheckpoint_bytes=%d%nexport=%s%nexport_bytes=%d%nratio=%.3f%nepoch=%d%nstep=%d%n",
                checkpoint, before, out, after, (double) after / before, info.epoch(), info.step());
        o.flush();
        return 0;
    }
}
