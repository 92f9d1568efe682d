package io.lince.watch;

import io.lince.contracts.ShadowBatch;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a shadowed version did on live traffic so far, folded from its {@link ShadowBatch}es
 * against one champion: on how many images it ran, how often it gave the champion's label, how
 * much surer or less sure it was, what share of images it would send for labelling, and how long
 * its forward pass took next to the champion's on the same batches.
 */
public final class ShadowTally {

    private final int shadowVersion;
    private final int championVersion;
    private long batches;
    private long images;
    private long agreed;
    private double championConfidence;
    private double shadowConfidence;
    private long championRouted;
    private long shadowRouted;
    private double championMillis;
    private double shadowMillis;

    public ShadowTally(int shadowVersion, int championVersion) {
        this.shadowVersion = shadowVersion;
        this.championVersion = championVersion;
    }

    /** Adds a batch, if it is this shadow's against this champion; returns whether it was. */
    public boolean add(ShadowBatch b) {
        if (b.getShadowVersion() != shadowVersion || b.getChampionVersion() != championVersion) {
            return false;
        }
        batches++;
        images += b.getImages();
        agreed += b.getAgreed();
        championConfidence += b.getChampionConfidence();
        shadowConfidence += b.getShadowConfidence();
        championRouted += b.getChampionRouted();
        shadowRouted += b.getShadowRouted();
        championMillis += b.getChampionMillis();
        shadowMillis += b.getShadowMillis();
        return true;
    }

    public int shadowVersion() {
        return shadowVersion;
    }

    public int championVersion() {
        return championVersion;
    }

    public long images() {
        return images;
    }

    /** Share of images given the champion's label. */
    public double agreement() {
        return images == 0 ? Double.NaN : agreed / (double) images;
    }

    /** Mean top-1 probability of the shadow less the champion's, on the same images. */
    public double confidenceShift() {
        return images == 0 ? Double.NaN : (shadowConfidence - championConfidence) / images;
    }

    /** Share of images the shadow's confidence would send for labelling. */
    public double routedShare() {
        return images == 0 ? Double.NaN : shadowRouted / (double) images;
    }

    public double championRoutedShare() {
        return images == 0 ? Double.NaN : championRouted / (double) images;
    }

    /** The shadow's forward time over the champion's, summed over the mirrored batches. */
    public double latencyRatio() {
        return championMillis == 0 ? Double.NaN : shadowMillis / championMillis;
    }

    /** The measures as the registry keeps them ({@code shadow.*} in a version's metrics). */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new TreeMap<>();
        m.put("shadow.images", (double) images);
        m.put("shadow.batches", (double) batches);
        m.put("shadow.agreement", agreement());
        m.put("shadow.confidenceShift", confidenceShift());
        m.put("shadow.routedShare", routedShare());
        m.put("shadow.championRoutedShare", championRoutedShare());
        m.put("shadow.latencyRatio", latencyRatio());
        m.put("shadow.millisPerBatch", batches == 0 ? Double.NaN : shadowMillis / batches);
        m.values().removeIf(v -> v.isNaN()); // JSON has no NaN: a measure that does not exist yet is left out
        return m;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "shadow v%d against v%d on %d images: agreement %.3f, confidence %+.3f, would route %.3f (champion %.3f), forward time %.2fx",
                shadowVersion, championVersion, images, agreement(), confidenceShift(), routedShare(), championRoutedShare(),
                latencyRatio());
    }
}
