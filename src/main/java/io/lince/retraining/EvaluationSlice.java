package io.lince.retraining;

import java.util.Collection;
import java.util.HexFormat;
import java.util.TreeSet;

/**
 * The labelled images no model ever trains on: an image belongs to the slice when a hash of its
 * id falls below {@code share}. The assignment depends on the id alone, so it never changes as the
 * set grows (an image cannot move from training to evaluation after a model has learnt it), and it
 * is independent of the class, so each class is represented in proportion (stratified in
 * expectation). The slice's version is its size and the digest of its ids.
 */
public record EvaluationSlice(double share) {

    public EvaluationSlice {
        if (share <= 0 || share >= 1) {
            throw new IllegalArgumentException("the evaluation share must be between 0 and 1, got " + share);
        }
    }

    public boolean contains(String imageId) {
        byte[] h = sha256(imageId);
        long v = ((h[0] & 0xffL) << 24) | ((h[1] & 0xffL) << 16) | ((h[2] & 0xffL) << 8) | (h[3] & 0xffL);
        return v < share * (1L << 32);
    }

    /** "120 images, sha256 1a2b3c4d5e6f": what a set of ids is, in a few characters. */
    public static String describe(Collection<String> ids) {
        StringBuilder all = new StringBuilder();
        new TreeSet<>(ids).forEach(id -> all.append(id).append('\n'));
        return ids.size() + " images, sha256 " + HexFormat.of().formatHex(sha256(all.toString())).substring(0, 12);
    }

    static byte[] sha256(String s) {
        return org.apache.commons.codec.digest.DigestUtils.sha256(s);
    }
}
