package bcqkit.cli;

import bcqkit.eval.CheckpointTranslator;
import bcqkit.io.AtomicFiles;
import bcqkit.io.FormatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "translate", sortOptions = false,
        description = {"Translate a file of source sentences (one per line) with a checkpoint; KV-cached greedy or beam search.",
                "Writes one output line per input line, in order."})
final class TranslateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--checkpoint", required = true, paramLabel = "C", description = "checkpoint.safetensors written by pretrain, or its export")
    Path checkpoint;

    @Option(names = "--input", required = true, paramLabel = "F", description = "source text, one sentence per line")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "G", description = "translations, one per line")
    Path output;

    @Mixin
    DecodingOptions decoding;

    @Override
    public Integer call() throws Exception {
        decoding.validate(spec);
        AtomicFiles.checkWritable(output);
        if (!Files.isRegularFile(input)) throw new FormatException(input, "cannot read: no such file");
        List<String> lines = Files.readAllLines(input, StandardCharsets.UTF_8);
        long start = System.nanoTime();
        int k;
        List<String> result;
        Long resident;
        try (CheckpointTranslator t = decoding.open(checkpoint)) {
            k = t.beam(decoding.beam);
            result = t.translate(lines, k, decoding.batch, input.toString(), spec.commandLine().getErr());
            resident = t.residentWeightBytes();
        }
        CheckpointTranslator.writeLines(output, result);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "sentences=%d%nbeam=%d%nengine=%s%nseconds=%.2f%n", lines.size(), k, decoding.engine, (System.nanoTime() - start) / 1e9);
        if (resident != null) o.printf(Locale.ROOT, "resident_weight_bytes=%d%n", resident);
        o.flush();
        return 0;
    }
}
