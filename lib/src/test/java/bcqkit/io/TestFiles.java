package bcqkit.io;

import bcqkit.quant.BcqMatrix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Hand-made files and random matrices for tests, built without the code under test. */
public final class TestFiles {
    private TestFiles() {}

    /** A .npy file with the given version, header text (padding added here) and raw data bytes. */
    public static Path npy(Path file, int major, String dict, byte[] data) throws IOException {
        int prefix = major == 1 ? 10 : 12;
        byte[] text = (dict + "\n").getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(prefix + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) b.putShort((short) text.length);
        else b.putInt(text.length);
        b.put(text).put(data);
        Files.write(file, b.array());
        return file;
    }

    public static byte[] float32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    public static float[] gaussian(Random rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
        return v;
    }

    /** A safetensors file from a literal header (length field and padding added here) and buffer size. */
    public static Path safetensors(Path file, String json, int bufferBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + bufferBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Files.write(file, b.array());
        return file;
    }

    /** Random codes (padding bits left zero), scales and, if asked, offsets. */
    public static BcqMatrix randomBcq(Random rng, int rows, int cols, int bits, int groupSize, boolean offset) {
        BcqMatrix m = BcqMatrix.allocate(rows, cols, bits, groupSize, offset, "test-" + rng.nextInt(1000));
        for (int b = 0; b < bits; b++)
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) m.setPlus(b, r, c, rng.nextBoolean());
        float[] alpha = m.alpha();
        for (int i = 0; i < alpha.length; i++) alpha[i] = (float) Math.abs(rng.nextGaussian());
        if (offset) {
            float[] off = m.offset();
            for (int i = 0; i < off.length; i++) off[i] = (float) rng.nextGaussian();
        }
        return m;
    }
}
