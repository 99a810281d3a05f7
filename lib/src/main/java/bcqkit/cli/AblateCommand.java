package bcqkit.cli;

import bcqkit.io.AtomicFiles;
import bcqkit.notebook.Kit;
import bcqkit.schedule.Ablation;
import bcqkit.schedule.Grid;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "ablate", sortOptions = false,
        description = {"Run an ablation grid (hparams/ablations/*.json) headless: every cell quantizes the FP model by its spec and schedule",
                "in OUT/cells/<cell>/, is scored (validation accuracy, sacreBLEU, NLTK BLEU, size) and appends one row to OUT/results.csv.",
                "Rerunning skips the cells with a row and resumes an interrupted one."})
final class AblateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--grid", required = true, paramLabel = "G", description = "the grid, e.g. hparams/ablations/ptq-methods.json")
    Path grid;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory, e.g. runs/ablations/ptq-methods")
    Path out;

    @Option(names = "--checkpoint", paramLabel = "FP", description = "the FP checkpoint to quantize, instead of the grid's")
    Path checkpoint;

    @Option(names = "--limit", paramLabel = "N", description = "translate and score the first N test sentences, instead of the grid's bleu_sentences")
    Integer limit;

    @Option(names = "--epochs", paramLabel = "N", description = "epochs of every retraining stage, instead of the grid's or the schedules'")
    Integer epochs;

    @Option(names = "--threads", paramLabel = "T", description = "PyTorch and quantizer threads (default: PyTorch's choice and all processors)")
    Integer threads;

    @Option(names = "--vocab-dir", paramLabel = "DIR", description = "holds pt.bpe and en.bpe (default: data/vocab)")
    Path vocabDir;

    @Override
    public Integer call() throws Exception {
        if (limit != null && limit < 1) throw usage("--limit must be >= 1, got " + limit);
        if (epochs != null && epochs < 1) throw usage("--epochs must be >= 1, got " + epochs);
        if (threads != null) {
            if (threads < 1) throw usage("--threads must be >= 1, got " + threads);
            bcqkit.nmt.Threads.use(threads);
        }
        if (Files.exists(out) && !Files.isDirectory(out)) throw usage("--out must be a directory, got the file " + out);
        Grid g = Grid.load(grid, Kit.home());
        Files.createDirectories(out);
        AtomicFiles.checkWritable(out.resolve(Ablation.RESULTS));
        PrintWriter o = spec.commandLine().getOut();
        Ablation a = new Ablation(g, out, new Ablation.Options(checkpoint, limit, epochs, threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                vocabDir), o, spec.commandLine().getErr());
        Signals.stopOn(a::requestStop, spec.commandLine().getErr());
        boolean finished = a.run();
        o.printf("results=%s%ncells=%d%nfinished=%s%n", out.resolve(Ablation.RESULTS), g.cells().size(), finished);
        o.flush();
        return finished ? 0 : Signals.STOPPED;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
