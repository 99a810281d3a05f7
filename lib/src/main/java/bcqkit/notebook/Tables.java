package bcqkit.notebook;

import bcqkit.data.Corpus;
import bcqkit.data.ParallelText;
import bcqkit.nmt.Transformer;
import bcqkit.text.BpeTokenizer;
import bcqkit.text.TokenizerStats;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The tables the notebooks show, built in one place so that every notebook labels things the same way. */
public final class Tables {
    private Tables() {}

    /**
     * Per split: pairs, words and BPE tokens per sentence on each side, the share of byte-fallback tokens,
     * and the share of pairs that fit {@code maxLength} (BOS and EOS included), which is what training uses.
     */
    public static Table corpus(Corpus corpus, BpeTokenizer source, BpeTokenizer target, int maxLength) {
        Table t = Table.create("corpus " + corpus.directory().getFileName(),
                StringColumn.create("split"), IntColumn.create("pairs"),
                DoubleColumn.create(Corpus.SOURCE_LANG + " words/sent"), DoubleColumn.create(Corpus.TARGET_LANG + " words/sent"),
                DoubleColumn.create(Corpus.SOURCE_LANG + " tokens/sent"), DoubleColumn.create(Corpus.TARGET_LANG + " tokens/sent"),
                DoubleColumn.create("byte tokens %"), DoubleColumn.create("fit max_length %"));
        for (String split : Corpus.SPLITS) {
            ParallelText text = corpus.split(split);
            TokenizerStats s = TokenizerStats.measure(source, text.source()), e = TokenizerStats.measure(target, text.target());
            int fit = 0;
            for (int i = 0; i < text.size(); i++)
                if (source.encode(text.source().get(i)).length + 2 <= maxLength && target.encode(text.target().get(i)).length + 2 <= maxLength) fit++;
            t.stringColumn(0).append(split);
            t.intColumn(1).append(text.size());
            t.doubleColumn(2).append(round((double) s.words() / s.sentences(), 2));
            t.doubleColumn(3).append(round((double) e.words() / e.sentences(), 2));
            t.doubleColumn(4).append(round(s.tokensPerSentence(), 2));
            t.doubleColumn(5).append(round(e.tokensPerSentence(), 2));
            t.doubleColumn(6).append(round(100.0 * (s.byteTokens() + e.byteTokens()) / (s.tokens() + e.tokens()), 3));
            t.doubleColumn(7).append(round(100.0 * fit / text.size(), 1));
        }
        return t;
    }

    /** How the tokenizer cuts each sentence, and whether decoding gives the sentence back. */
    public static Table tokenization(BpeTokenizer tokenizer, List<String> sentences) {
        Table t = Table.create("BPE pieces", StringColumn.create("sentence"), StringColumn.create("pieces"),
                IntColumn.create("tokens"), StringColumn.create("round trip"));
        for (String s : sentences) {
            int[] ids = tokenizer.encode(s);
            t.stringColumn(0).append(s);
            t.stringColumn(1).append(String.join(" · ", tokenizer.tokens(ids)));
            t.intColumn(2).append(ids.length);
            t.stringColumn(3).append(tokenizer.decode(ids).equals(s) ? "exact" : "differs: " + tokenizer.decode(ids));
        }
        return t;
    }

    /** Parameter counts per component, the units that quantization specs give bit widths to. */
    public static Table parameters(Transformer model) {
        Map<String, Long> totals = model.componentTotals();
        long all = model.parameterCount();
        Table t = Table.create("parameters per component", StringColumn.create("component"), IntColumn.create("tensors"),
                LongColumn.create("parameters"), DoubleColumn.create("share %"));
        for (var e : totals.entrySet()) {
            t.stringColumn(0).append(e.getKey());
            t.intColumn(1).append((int) model.summary().stream().filter(p -> p.component().equals(e.getKey())).count());
            t.longColumn(2).append(e.getValue());
            t.doubleColumn(3).append(round(100.0 * e.getValue() / all, 2));
        }
        t.stringColumn(0).append("total");
        t.intColumn(1).append(model.summary().size());
        t.longColumn(2).append(all);
        t.doubleColumn(3).append(100.0);
        return t;
    }

    /** The first {@code n} sentences as source / reference / output, like the reference's printouts. */
    public static Table translations(List<String> sources, List<String> references, List<String> outputs, int n) {
        Table t = Table.create("translations", IntColumn.create("#"), StringColumn.create(Corpus.SOURCE_LANG),
                StringColumn.create(Corpus.TARGET_LANG + " (reference)"), StringColumn.create("output"));
        for (int i = 0; i < Math.min(n, outputs.size()); i++) {
            t.intColumn(0).append(i + 1);
            t.stringColumn(1).append(sources.get(i));
            t.stringColumn(2).append(references.get(i));
            t.stringColumn(3).append(outputs.get(i));
        }
        return t;
    }

    /** A metrics CSV as written by the trainer (or an ablation), read with Tablesaw. */
    public static Table csv(Path file) throws IOException {
        if (!Files.exists(file)) throw new java.nio.file.NoSuchFileException(file.toString(), null, "no metrics yet: train first");
        return Table.read().csv(CsvReadOptions.builder(file.toFile()).tableName(file.getFileName().toString()).build());
    }

    /**
     * An ablation grid's {@code results.csv}: the columns that describe a cell are text (bits can be "mixed",
     * group_size empty for the FP row), all others numbers, whatever values a particular grid happened to produce.
     */
    public static Table ablation(Path file) throws IOException {
        if (!Files.exists(file)) throw new java.nio.file.NoSuchFileException(file.toString(), null, "no results yet: run the grid first");
        java.util.Set<String> text = java.util.Set.of("cell", "spec", "schedule", "components", "bits", "method", "group_size");
        return Table.read().csv(CsvReadOptions.builder(file.toFile()).tableName(file.getParent().getFileName().toString())
                .columnTypes(name -> text.contains(name) ? ColumnType.STRING : ColumnType.DOUBLE).build());
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
