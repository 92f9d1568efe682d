package io.lince.images;

/**
 * A 64-bit difference hash (dHash) of an RGB crop: the crop shrunk to 9×8 grey cells (area
 * means), one bit per pair of horizontal neighbours, set when the left is brighter. Frames of one
 * scene, re-encodings and small crops or shifts of one photo land a few bits apart; unrelated
 * images about 32 apart. Cheap (a grid of samples of the crop), so it runs for every image
 * classified, and what the labelling selector compares to skip near-duplicates.
 */
public final class PerceptualHash {

    private static final int W = 9;
    private static final int H = 8;

    private PerceptualHash() {}

    /** The hash of {@code size × size} RGB bytes (HWC), as {@link InputCrop} makes them. */
    public static long of(byte[] rgb, int size) {
        if (rgb.length != size * size * 3) {
            throw new IllegalArgumentException("expected " + size + "x" + size + "x3 bytes, got " + rgb.length);
        }
        // the cells' means from a grid of about 64×64 samples: as good a mean for 9×8 cells as every
        // pixel, at a tenth of the cost on a 224 px crop (this runs for every image classified)
        int step = Math.max(1, size / 64);
        int[] column = new int[size];
        for (int x = 0; x < size; x++) {
            column[x] = x * W / size;
        }
        long[] cell = new long[W * H];
        int[] count = new int[W * H];
        for (int y = step / 2; y < size; y += step) {
            int rowCell = y * H / size * W;
            int rowStart = y * size;
            for (int x = step / 2; x < size; x += step) {
                int i = (rowStart + x) * 3;
                int c = rowCell + column[x];
                cell[c] += 299 * (rgb[i] & 0xff) + 587 * (rgb[i + 1] & 0xff) + 114 * (rgb[i + 2] & 0xff);
                count[c]++;
            }
        }
        long h = 0;
        int bit = 0;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W - 1; x++) {
                int a = y * W + x;
                if (cell[a] / (double) Math.max(1, count[a]) > cell[a + 1] / (double) Math.max(1, count[a + 1])) {
                    h |= 1L << bit;
                }
                bit++;
            }
        }
        return h;
    }

    /** Bits that differ. */
    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }
}
