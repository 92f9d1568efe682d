package io.lince.stream;

import io.lince.images.FetchPolicy;

/**
 * What the classifier accepts at its door: the checks on each event's id and time, and what its
 * claim-check URIs may point at.
 */
public record InputPolicy(EventChecks events, FetchPolicy fetch) {

    /** The default event checks, with {@code fetch}. */
    public static InputPolicy of(FetchPolicy fetch) {
        return new InputPolicy(EventChecks.DEFAULTS, fetch);
    }
}
