package bcqkit.nmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * State of incremental decoding for a batch of hypotheses: per decoder layer the self-attention keys
 * and values of all positions decoded so far (grown by one position per step) and the cross-attention
 * keys and values of the encoder output (fixed). All arrays live in this cache's own manager, so
 * per-step managers can be closed without touching them.
 */
public final class DecoderCache implements AutoCloseable {
    /** One layer's cached tensors, each {@code (rows, heads, T, depth)}. */
    final class Layer {
        private NDArray selfKeys, selfValues, crossKeys, crossValues;

        NDArray selfKeys() { return selfKeys; }

        NDArray selfValues() { return selfValues; }

        NDArray crossKeys() { return crossKeys; }

        NDArray crossValues() { return crossValues; }

        void append(NDArray k, NDArray v) {
            selfKeys = grow(selfKeys, k);
            selfValues = grow(selfValues, v);
        }

        private NDArray grow(NDArray old, NDArray next) {
            NDArray grown = old == null ? next.duplicate() : old.concat(next, 2);
            grown.attach(manager);
            if (old != null) old.close();
            return grown;
        }
    }

    private final NDManager manager;
    private final List<Layer> layers = new ArrayList<>();
    private NDArray sourceMask;
    private int position;

    DecoderCache(NDManager parent, List<NDArray[]> crossKeysValues, NDArray sourceMask) {
        manager = parent.newSubManager();
        for (NDArray[] kv : crossKeysValues) {
            Layer l = new Layer();
            l.crossKeys = own(kv[0]);
            l.crossValues = own(kv[1]);
            layers.add(l);
        }
        this.sourceMask = own(sourceMask);
    }

    private NDArray own(NDArray a) {
        NDArray c = a.duplicate();
        c.attach(manager);
        return c;
    }

    Layer layer(int i) { return layers.get(i); }

    NDArray sourceMask() { return sourceMask; }

    /** How many target positions are cached: the position of the next token. */
    public int position() { return position; }

    void advance() { position++; }

    /** Keeps, in this order, the rows {@code rows} (beam search: the parents of the surviving hypotheses). */
    public void reorder(long[] rows) {
        try (NDArray idx = manager.create(rows)) {
            for (Layer l : layers) {
                l.crossKeys = pick(l.crossKeys, idx);
                l.crossValues = pick(l.crossValues, idx);
                if (l.selfKeys != null) {
                    l.selfKeys = pick(l.selfKeys, idx);
                    l.selfValues = pick(l.selfValues, idx);
                }
            }
            sourceMask = pick(sourceMask, idx);
        }
    }

    private NDArray pick(NDArray a, NDArray idx) {
        NDArray out = a.get(new NDIndex("{}", idx));
        out.attach(manager);
        a.close();
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
