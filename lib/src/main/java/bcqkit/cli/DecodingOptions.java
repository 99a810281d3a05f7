package bcqkit.cli;

import bcqkit.eval.CheckpointTranslator;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The decoding options that translate and evaluate share, checked in one place. */
final class DecodingOptions {
    @Option(names = "--beam", paramLabel = "K", description = "beam size; 1 = greedy (default: beam_size of the checkpoint's hparams)")
    Integer beam;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "N", description = "sentences decoded together (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--threads", paramLabel = "N",
            description = "PyTorch threads, or the Java engine's kernel threads (default: all cores); on a shared machine 1 can be several times faster")
    Integer threads;

    @Option(names = "--vocab-dir", paramLabel = "DIR", description = "holds pt.bpe and en.bpe (default: data/vocab)")
    Path vocabDir;

    @Option(names = "--engine", defaultValue = "djl", paramLabel = "E",
            description = "djl (DJL/PyTorch) or java (the pure-Java engine: packed checkpoints on the BCQ kernels, FP32 on Java FP32 kernels; --threads are its threads) (default: ${DEFAULT-VALUE})")
    String engine;

    /** The checkpoint with the tokenizers, on the chosen engine. */
    CheckpointTranslator open(Path checkpoint) throws java.io.IOException {
        return "java".equals(engine) ? CheckpointTranslator.openJava(checkpoint, vocabDir, threads) : CheckpointTranslator.open(checkpoint, vocabDir);
    }

    /** Rejects bad values as usage errors and sets the PyTorch thread count, which must happen before the engine starts. */
    void validate(CommandSpec spec) {
        if (beam != null && beam < 1) throw new ParameterException(spec.commandLine(), "--beam must be >= 1, got " + beam);
        if (batch < 1) throw new ParameterException(spec.commandLine(), "--batch must be >= 1, got " + batch);
        if (!"djl".equals(engine) && !"java".equals(engine)) throw new ParameterException(spec.commandLine(), "--engine must be djl or java, got '" + engine + "'");
        if (threads != null) {
            if (threads < 1) throw new ParameterException(spec.commandLine(), "--threads must be >= 1, got " + threads);
            bcqkit.nmt.Threads.use(threads);
        }
    }
}
