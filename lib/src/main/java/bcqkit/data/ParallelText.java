package bcqkit.data;

import java.util.List;

/** One split of a parallel corpus: line {@code i} of {@code source} translates to line {@code i} of {@code target}. */
public record ParallelText(String name, List<String> source, List<String> target) {
    public ParallelText {
        if (source.size() != target.size())
            throw new IllegalArgumentException("split '" + name + "': " + source.size() + " source lines but " + target.size() + " target lines");
        source = List.copyOf(source);
        target = List.copyOf(target);
    }

    public int size() {
        return source.size();
    }
}
