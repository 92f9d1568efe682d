package io.lince.stream;

import io.lince.contracts.ImageEvent;
import io.lince.wire.Buffers;

/** Where an event's image bytes come from: inline, or fetched from its claim-check URI. */
@FunctionalInterface
public interface ImageSource {

    /** @throws FetchException with a reason fit for a dead letter */
    byte[] bytes(ImageEvent event) throws FetchException;

    /** Fails in a way that is the event's fault (or its URI's), not the classifier's. */
    final class FetchException extends Exception {
        public FetchException(String reason) {
            super(reason);
        }

        public FetchException(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    /** Inline bytes only; a URI is refused. */
    static ImageSource inlineOnly() {
        return event -> {
            if (event.getBytes() != null) {
                return Buffers.toArray(event.getBytes());
            }
            throw new FetchException(event.getUri() == null ? "event carries neither image bytes nor a uri"
                    : "claim-check uri not fetched: no uri source is allowed on this classifier");
        };
    }

    /** Inline bytes, or the claim-check URI fetched under {@code fetcher}'s allow-list. */
    static ImageSource claimCheck(io.lince.images.UriFetcher fetcher) {
        return event -> {
            if (event.getBytes() != null) {
                return Buffers.toArray(event.getBytes());
            }
            if (event.getUri() == null) {
                throw new FetchException("event carries neither image bytes nor a uri");
            }
            try {
                return fetcher.fetch(event.getUri());
            } catch (io.lince.images.UriFetcher.FetchFailed e) {
                throw new FetchException(e.getMessage(), e);
            }
        };
    }
}
