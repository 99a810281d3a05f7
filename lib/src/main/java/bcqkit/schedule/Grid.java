package bcqkit.schedule;

import bcqkit.data.Corpus;
import bcqkit.io.FormatException;
import bcqkit.io.JsonFields;
import bcqkit.qmodel.QuantSpec;
import bcqkit.quant.BcqMatrix;
import bcqkit.quant.Method;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * An ablation grid, {@code hparams/ablations/*.json}: what model to start from, what to evaluate on, and groups of
 * cells. Each group is the product of its lists: {@code spec} and {@code schedule} files (required), and
 * optionally {@code bits}, {@code method} and {@code group_size} (each overrides that field of every setting of the
 * spec) and {@code component} (only that component of the spec is quantized, the others stay FP):
 *
 * <pre>{@code
 * {"description": "...", "checkpoint": "runs/small/checkpoint.safetensors", "corpus": "pt-en", "bleu_sentences": 200,
 *  "groups": [{"spec": ["hparams/quant/bits3.json"], "schedule": ["hparams/schedules/ptq.json"],
 *              "bits": [2, 3], "method": ["greedy", "alternating"], "group_size": [0, 128]}]}
 * }</pre>
 *
 * Instead of {@code checkpoint}, {@code pretrain} ({@code {"hparams": "...", "epochs": 2}}) trains the FP model first.
 * Paths are relative to the kit's root. Every cell has an id made of its choices, e.g. {@code bits3-2b-greedy-g128-ptq}.
 */
public final class Grid {
    /** One configuration: the spec it quantizes with (a variant of {@code specFile}'s) and the schedule. Null overrides are absent. */
    public record Cell(String id, Path specFile, QuantSpec spec, Path scheduleFile, Schedule schedule, String component, Integer bits, Method method,
                       Integer groupSize) {}

    /** Train the FP model from these hparams, for {@code epochs} (null: theirs). */
    public record Pretrain(Path hparams, Integer epochs) {}

    private static final List<String> KEYS = List.of("description", "checkpoint", "pretrain", "corpus", "train_sentences", "bleu_sentences", "beam",
            "epochs", "fp", "groups");
    private static final List<String> GROUP_KEYS = List.of("spec", "schedule", "bits", "method", "group_size", "component");

    private final Path source;
    private final String description, corpus;
    private final Path checkpoint;
    private final Pretrain pretrain;
    private final Integer trainSentences, bleuSentences, epochs;
    private final int beam;
    private final boolean fp;
    private final List<Cell> cells;

    private Grid(Path source, String description, Path checkpoint, Pretrain pretrain, String corpus, Integer trainSentences, Integer bleuSentences,
                 int beam, Integer epochs, boolean fp, List<Cell> cells) {
        this.source = source;
        this.description = description;
        this.checkpoint = checkpoint;
        this.pretrain = pretrain;
        this.corpus = corpus;
        this.trainSentences = trainSentences;
        this.bleuSentences = bleuSentences;
        this.beam = beam;
        this.epochs = epochs;
        this.fp = fp;
        this.cells = List.copyOf(cells);
    }

    /** Reads {@code file}, its paths relative to {@code home} (the kit's root), and every spec and schedule it names. */
    public static Grid load(Path file, Path home) throws IOException {
        if (!Files.isRegularFile(file)) throw new FormatException(file, "cannot read: no such file");
        return parse(Files.readString(file, StandardCharsets.UTF_8), file, home);
    }

    static Grid parse(String json, Path file, Path home) throws IOException {
        JsonFields f = JsonFields.parse(json, file, KEYS);
        if (f.has("checkpoint") == f.has("pretrain")) throw f.error(null, "needs exactly one of 'checkpoint' (an FP checkpoint) and 'pretrain'");
        Path checkpoint = f.has("checkpoint") ? home.resolve(f.string("checkpoint")) : null;
        Pretrain pretrain = null;
        if (f.has("pretrain")) {
            JsonFields p = f.object("pretrain", List.of("hparams", "epochs"));
            pretrain = new Pretrain(home.resolve(p.string("hparams")), p.integer("epochs", 1, 100_000, null));
        }
        String corpus = f.string("corpus", Corpus.TED);
        if (!corpus.equals(Corpus.TED) && !corpus.equals(Corpus.SMOKE))
            throw f.error("corpus", "must be \"" + Corpus.TED + "\" or \"" + Corpus.SMOKE + "\", got '" + corpus + "'");
        List<Cell> cells = new ArrayList<>();
        List<Object> groups = f.array("groups");
        if (groups.isEmpty()) throw f.error("groups", "must not be empty");
        Map<Path, QuantSpec> specs = new LinkedHashMap<>();
        Map<Path, Schedule> schedules = new LinkedHashMap<>();
        for (int i = 0; i < groups.size(); i++) {
            JsonFields g = f.object(groups.get(i), "group " + (i + 1), GROUP_KEYS);
            for (String s : g.list("spec", g.strings())) {
                Path specFile = home.resolve(s);
                if (!specs.containsKey(specFile)) specs.put(specFile, QuantSpec.load(specFile));
            }
            for (String s : g.list("schedule", g.strings())) {
                Path scheduleFile = home.resolve(s);
                if (!schedules.containsKey(scheduleFile)) schedules.put(scheduleFile, Schedule.load(scheduleFile));
            }
            cells.addAll(expand(g, specs, schedules, home));
        }
        Set<String> ids = new HashSet<>();
        for (Cell c : cells) if (!ids.add(c.id())) throw new FormatException(file, "cell '" + c.id() + "' appears twice; every configuration must be unique");
        return new Grid(file, f.string("description", ""), checkpoint, pretrain, corpus, f.integer("train_sentences", 1, Integer.MAX_VALUE, null),
                f.integer("bleu_sentences", 1, Integer.MAX_VALUE, null), f.integer("beam", 1, 64, 1), f.integer("epochs", 1, 100_000, null),
                f.bool("fp", false), cells);
    }

    /** The product of a group's lists, in order: spec, schedule, bits, method, group_size, component. */
    private static List<Cell> expand(JsonFields g, Map<Path, QuantSpec> specs, Map<Path, Schedule> schedules, Path home) throws FormatException {
        List<Integer> bits = g.has("bits") ? g.list("bits", g.integers(1, BcqMatrix.MAX_BITS)) : nulls();
        List<Integer> groupSizes = g.has("group_size") ? g.list("group_size", g.integers(0, Integer.MAX_VALUE)) : nulls();
        List<Method> methods = new ArrayList<>();
        if (g.has("method")) {
            for (String m : g.list("method", g.strings())) {
                try {
                    methods.add(Method.parse(m));
                } catch (IllegalArgumentException e) {
                    throw g.error("method", e.getMessage());
                }
            }
        } else {
            methods.add(null);
        }
        List<String> components = g.has("component") ? g.list("component", g.strings()) : nulls();
        for (String c : components)
            if (c != null && !QuantSpec.COMPONENTS.contains(c))
                throw g.error("component", "names unknown component '" + c + "' (valid: " + String.join(", ", QuantSpec.COMPONENTS) + ")");
        List<Cell> out = new ArrayList<>();
        for (String s : g.list("spec", g.strings()))
            for (String sch : g.list("schedule", g.strings()))
                for (Integer b : bits)
                    for (Method m : methods)
                        for (Integer gs : groupSizes)
                            for (String c : components) {
                                Path specFile = home.resolve(s), scheduleFile = home.resolve(sch);
                                QuantSpec base = specs.get(specFile);
                                StringJoiner id = new StringJoiner("-"), what = new StringJoiner(", ");
                                id.add(stem(specFile));
                                if (b != null) {
                                    id.add(b + "b");
                                    what.add("bits " + b);
                                }
                                if (m != null) {
                                    id.add(m.id());
                                    what.add("method " + m.id());
                                }
                                if (gs != null) {
                                    id.add(gs == 0 ? "row" : "g" + gs);
                                    what.add("group_size " + gs);
                                }
                                QuantSpec spec = base;
                                if (what.length() > 0) {
                                    try {
                                        spec = base.map(specFile + " [" + what + "]", base.description() + " Variant: " + what + ".", x -> {
                                            QuantSpec.Setting y = b != null ? x.withBits(b) : x;
                                            y = m != null ? y.withMethod(m) : y;
                                            return gs != null ? y.withGroupSize(gs) : y;
                                        });
                                    } catch (IllegalArgumentException e) {
                                        throw g.error(null, "cannot make " + specFile + " [" + what + "]: " + e.getMessage());
                                    }
                                }
                                if (c != null) {
                                    id.add(c);
                                    spec = spec.only(specFile + " [only " + c + "]", spec.description() + " Only " + c + " is quantized.", List.of(c));
                                    if (spec.isEmpty()) throw g.error("component", "'" + c + "': " + specFile + " does not quantize it");
                                }
                                id.add(stem(scheduleFile));
                                out.add(new Cell(id.toString(), specFile, spec, scheduleFile, schedules.get(scheduleFile), c, b, m, gs));
                            }
        return out;
    }

    private static <T> List<T> nulls() {
        List<T> l = new ArrayList<>();
        l.add(null);
        return l;
    }

    /** The file name without {@code .json}; ids and CSV cells must not need quoting. */
    static String stem(Path file) throws FormatException {
        String name = file.getFileName().toString().replaceFirst("\\.json$", "");
        if (!name.matches("[A-Za-z0-9._+-]+")) throw new FormatException(file, "names a cell: use only letters, digits and . _ + - in the file name");
        return name;
    }

    public Path source() { return source; }

    public String description() { return description; }

    /** The FP checkpoint to start from, or null when {@link #pretrain} makes it. */
    public Path checkpoint() { return checkpoint; }

    public Pretrain pretrain() { return pretrain; }

    public String corpus() { return corpus; }

    /** Training pairs to use (the first ones of the split), or null for all. */
    public Integer trainSentences() { return trainSentences; }

    /** Test sentences to translate and score with sacreBLEU, or null for the whole split. */
    public Integer bleuSentences() { return bleuSentences; }

    public int beam() { return beam; }

    /** Epochs of every retraining stage, or null for the schedules' own. */
    public Integer epochs() { return epochs; }

    /** Whether the FP model gets a row of its own. */
    public boolean fp() { return fp; }

    public List<Cell> cells() { return cells; }
}
