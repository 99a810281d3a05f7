package bcqkit.notebook;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the kit's directories are: the repository root and its {@code runs/}, {@code data/} and
 * {@code hparams/}. The root is {@value #ENV} when set (the Java kernel sets it), otherwise the
 * nearest directory at or above the working directory holding both {@code pom.xml} and {@code lib/}.
 */
public final class Kit {
    public static final String ENV = "BCQ_HOME";

    private Kit() {}

    public static Path home() {
        return home(System.getenv(ENV), Path.of("").toAbsolutePath());
    }

    static Path home(String bcqHome, Path start) {
        if (bcqHome != null && !bcqHome.isBlank()) {
            Path root = Path.of(bcqHome).toAbsolutePath().normalize();
            if (!isRoot(root))
                throw new IllegalStateException(ENV + "='" + bcqHome + "' is not a bcq-kit checkout (no pom.xml and lib/ in " + root + ")");
            return root;
        }
        for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent())
            if (isRoot(p)) return p;
        throw new IllegalStateException("no bcq-kit checkout (pom.xml and lib/) at or above " + start.toAbsolutePath()
                + "; run from inside the repository or set " + ENV);
    }

    private static boolean isRoot(Path p) {
        return Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("lib"));
    }

    /** Results of runs; each profile writes under its own subdirectory, see {@link #runs(Profile)}. */
    public static Path runs() { return home().resolve("runs"); }

    public static Path runs(Profile profile) { return runs().resolve(profile.id()); }

    public static Path data() { return home().resolve("data"); }

    public static Path hparams() { return home().resolve("hparams"); }
}
