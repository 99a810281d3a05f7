package bcqkit.eval;

/**
 * Counts of n-grams of token ids, keyed by two longs (up to four 32-bit ids, unused positions
 * padded), in an open-addressing table that is reused from segment to segment: BLEU counts a few
 * dozen n-grams per segment, and a HashMap of boxed keys spends most of its time allocating.
 */
final class GramCounts {
    private long[] hi, lo;
    private int[] count;
    private byte[] order;
    /** Slots in use, in insertion order, so that clearing and iterating cost the entries, not the capacity. */
    private int[] used;
    private int size, mask;

    GramCounts() {
        allocate(64);
    }

    private void allocate(int capacity) {
        hi = new long[capacity];
        lo = new long[capacity];
        count = new int[capacity];
        order = new byte[capacity];
        used = new int[capacity / 2 + 1];
        mask = capacity - 1;
        size = 0;
    }

    int size() {
        return size;
    }

    void clear() {
        for (int i = 0; i < size; i++) count[used[i]] = 0;
        size = 0;
    }

    /** Adds {@code c} to the count of the n-gram; a count of 0 marks an empty slot, so {@code c} must be positive. */
    void add(long h, long l, int n, int c) {
        int slot = find(h, l);
        if (count[slot] == 0) {
            if (size + 1 > (mask + 1) / 2) {
                grow();
                slot = find(h, l);
            }
            hi[slot] = h;
            lo[slot] = l;
            order[slot] = (byte) n;
            used[size++] = slot;
        }
        count[slot] += c;
    }

    /** Raises the count of the n-gram to {@code c} if it is lower. */
    void max(long h, long l, int n, int c) {
        int slot = find(h, l);
        if (count[slot] == 0) add(h, l, n, c);
        else if (count[slot] < c) count[slot] = c;
    }

    int get(long h, long l) {
        return count[find(h, l)];
    }

    /** The i-th entry in insertion order, 0 <= i < size(). */
    long hi(int i) {
        return hi[used[i]];
    }

    long lo(int i) {
        return lo[used[i]];
    }

    int order(int i) {
        return order[used[i]];
    }

    int count(int i) {
        return count[used[i]];
    }

    private int find(long h, long l) {
        long x = (h * 0x9E3779B97F4A7C15L) ^ l;
        x = (x ^ (x >>> 31)) * 0xBF58476D1CE4E5B9L;
        int slot = (int) (x ^ (x >>> 29)) & mask;
        while (count[slot] != 0 && (hi[slot] != h || lo[slot] != l)) slot = (slot + 1) & mask;
        return slot;
    }

    private void grow() {
        long[] oh = hi, ol = lo;
        int[] oc = count, ou = used;
        byte[] oo = order;
        int n = size;
        allocate((mask + 1) * 2);
        for (int i = 0; i < n; i++) {
            int s = ou[i];
            add(oh[s], ol[s], oo[s], oc[s]);
        }
    }
}
