package io.lince.images;

/** An image Lince refuses, with a reason precise enough for a dead letter or a CLI error line. */
public class InvalidImageException extends Exception {

    public InvalidImageException(String reason) {
        super(reason);
    }

    public InvalidImageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
