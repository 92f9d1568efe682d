package io.lince.learn;

import java.util.ArrayList;
import java.util.List;

/**
 * Progressive resizing (fast.ai's later lessons): the first epochs of a fit see small images,
 * which cost a quarter of the compute at half the side, and the last epochs the full size the
 * model will serve at. The network is fully convolutional up to its global pooling, so the same
 * weights take every size. Written {@code 64,128} (the epochs split evenly, the earlier sizes taking
 * any remainder) or {@code 64:12,128:8} (epochs per size, which must add up to the fit's).
 *
 * @param sizes input sides, in the order they are used; the last is what the model is saved for
 * @param epochs epochs at each size, or an empty list to split the fit evenly
 */
public record Resizing(List<Integer> sizes, List<Integer> epochs) {

    public Resizing {
        sizes = List.copyOf(sizes);
        epochs = List.copyOf(epochs);
        if (sizes.isEmpty()) {
            throw new IllegalArgumentException("progressive resizing needs at least one size");
        }
        if (!epochs.isEmpty() && epochs.size() != sizes.size()) {
            throw new IllegalArgumentException("give epochs for every size or for none: " + sizes + " " + epochs);
        }
        for (int s : sizes) {
            if (s < 16) {
                throw new IllegalArgumentException("input sides start at 16 pixels, got " + s);
            }
        }
        for (int e : epochs) {
            if (e < 1) {
                throw new IllegalArgumentException("each size needs at least one epoch, got " + epochs);
            }
        }
    }

    /** One size for the whole fit (no resizing). */
    public static Resizing fixed(int size) {
        return new Resizing(List.of(size), List.of());
    }

    /** {@code 64,128} or {@code 64:12,128:8}. */
    public static Resizing parse(String spec) {
        List<Integer> sizes = new ArrayList<>();
        List<Integer> epochs = new ArrayList<>();
        for (String part : spec.split(",")) {
            String[] se = part.trim().split(":");
            try {
                sizes.add(Integer.parseInt(se[0].trim()));
                if (se.length > 1) {
                    epochs.add(Integer.parseInt(se[1].trim()));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--sizes takes SIZE[,SIZE…] or SIZE:EPOCHS[,…], got '" + spec + "'");
            }
        }
        if (!epochs.isEmpty() && epochs.size() != sizes.size()) {
            throw new IllegalArgumentException("--sizes: give epochs for every size or for none, got '" + spec + "'");
        }
        return new Resizing(sizes, epochs);
    }

    /** The size the model ends at, and is saved and served at. */
    public int last() {
        return sizes.get(sizes.size() - 1);
    }

    /** Epochs at each size in a fit of {@code total} epochs. */
    public List<Integer> split(int total) {
        if (!epochs.isEmpty()) {
            int sum = epochs.stream().mapToInt(Integer::intValue).sum();
            if (sum != total) {
                throw new IllegalArgumentException("--sizes gives " + sum + " epochs (" + epochs + ") to a fit of " + total);
            }
            return epochs;
        }
        if (total < sizes.size()) {
            throw new IllegalArgumentException(sizes.size() + " sizes need at least as many epochs, the fit has " + total);
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
            out.add(total / sizes.size() + (i < total % sizes.size() ? 1 : 0));
        }
        return out;
    }

    /** The input side of epoch {@code epoch} (0-based) in a fit of {@code total} epochs. */
    public int sizeAt(int epoch, int total) {
        List<Integer> split = split(total);
        int end = 0;
        for (int i = 0; i < sizes.size(); i++) {
            end += split.get(i);
            if (epoch < end) {
                return sizes.get(i);
            }
        }
        return last();
    }
}
