package io.lince.model.onnx;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The range each quantized activation was seen to take on calibration images: per tensor (by the
 * keys {@link OnnxExport#probes} names) the smallest and largest value, from which its uint8
 * scale and zero point follow.
 */
public final class Int8Ranges {

    /** A uint8 quantization: {@code real = scale × (q − zeroPoint)}. */
    public record Affine(float scale, int zeroPoint) {}

    private final Map<String, float[]> ranges = new LinkedHashMap<>();
    private int images;

    /** Widens {@code key}'s range to take in {@code values}. */
    void see(String key, float[] values) {
        float[] r = ranges.computeIfAbsent(key, k -> new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
        for (float v : values) {
            if (v < r[0]) {
                r[0] = v;
            }
            if (v > r[1]) {
                r[1] = v;
            }
        }
    }

    void counted(int n) {
        images += n;
    }

    /** How many images the ranges were taken on. */
    public int images() {
        return images;
    }

    /** Tensor → {min, max}. */
    public Map<String, float[]> ranges() {
        return Collections.unmodifiableMap(ranges);
    }

    /**
     * The uint8 quantization of {@code key}: the range stretched to include 0 (so that zero, the
     * padding of every convolution, is exact) over 255 steps.
     */
    public Affine affine(String key) {
        float[] r = ranges.get(key);
        if (r == null) {
            throw new IllegalStateException("no calibrated range for " + key);
        }
        float lo = Math.min(0, r[0]);
        float hi = Math.max(0, r[1]);
        float scale = hi > lo ? (hi - lo) / 255f : 1f;
        int zero = Math.max(0, Math.min(255, Math.round(-lo / scale)));
        return new Affine(scale, zero);
    }
}
