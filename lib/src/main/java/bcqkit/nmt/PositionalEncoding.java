package bcqkit.nmt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The fixed sinusoidal table of the reference: position p, feature i gets sin (even i) or cos (odd i)
 * of {@code p / 10000^(2·floor(i/2)/d_model)}. Kept in Java so slices are created in the caller's
 * manager and nothing of it is a parameter.
 */
final class PositionalEncoding {
    private final int positions, dModel;
    private final float[] table;

    PositionalEncoding(int positions, int dModel) {
        this.positions = positions;
        this.dModel = dModel;
        table = new float[positions * dModel];
        for (int p = 0; p < positions; p++)
            for (int i = 0; i < dModel; i++) {
                double angle = p / Math.pow(10000, (2 * (i / 2)) / (double) dModel);
                table[p * dModel + i] = (float) (i % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
            }
    }

    /** {@code x (B, T, d_model)} plus the encodings of positions {@code offset .. offset+T-1}. */
    NDArray add(NDArray x, int offset) {
        int t = Math.toIntExact(x.getShape().get(1));
        if (offset + t > positions)
            throw new IllegalArgumentException("sequence reaches position " + (offset + t) + " but max_positions is " + positions);
        float[] slice = new float[t * dModel];
        System.arraycopy(table, offset * dModel, slice, 0, slice.length);
        try (NDArray pe = x.getManager().create(slice, new Shape(1, t, dModel))) {
            return x.add(pe);
        }
    }
}
