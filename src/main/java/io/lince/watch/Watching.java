package io.lince.watch;

/**
 * How a classifier watches the model it serves, beside serving it.
 *
 * @param drift the drift watch's window and limits
 * @param shadowShare share of batches a shadowed version also runs on (0 = never)
 */
public record Watching(DriftWatch.Settings drift, double shadowShare) {

    public static final Watching DEFAULTS = new Watching(DriftWatch.Settings.DEFAULTS, 0.25);
}
