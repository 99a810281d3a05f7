package bcqkit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/**
 * The {@code bcq} command. Exit codes: 0 success, 2 usage error, 1 any other failure. Errors are one
 * line, {@code bcq: error: ...}; set {@code BCQ_DEBUG=1} to also get the stack trace.
 */
@Command(name = "bcq", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Binary-code-based quantization (BCQ) of weight matrices.",
        subcommands = {QuantizeCommand.class, InspectCommand.class, QuantBenchCommand.class, DataCommand.class, TokenizerCommand.class, BleuCommand.class, PretrainCommand.class, TranslateCommand.class, EvaluateCommand.class, ExportCommand.class, QuantizeModelCommand.class, BenchCommand.class, RetrainCommand.class, AblateCommand.class, EngineBenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** A fully configured command line; tests call {@code execute} on it after redirecting out/err. */
    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine sub = ex.getCommandLine();
            PrintWriter err = sub.getErr();
            err.println("bcq: error: " + ex.getMessage() + " (see '" + sub.getCommandSpec().qualifiedName() + " --help')");
            if (debug()) ex.printStackTrace(err);
            err.flush();
            return CommandLine.ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, sub, parseResult) -> {
            PrintWriter err = sub.getErr();
            err.println("bcq: error: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            if (debug()) ex.printStackTrace(err);
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cl;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command; use one of " + spec.subcommands().keySet());
    }

    private static boolean debug() {
        return "1".equals(System.getenv("BCQ_DEBUG"));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"bcq-kit " + (v != null ? v : "(development build)")};
        }
    }
}
