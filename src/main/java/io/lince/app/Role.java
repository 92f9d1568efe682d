package io.lince.app;

import java.util.Locale;

/** What one Lince process does; chosen at run time. */
public enum Role {
    CLASSIFIER, TRAINER, ALL;

    public boolean classifies() {
        return this != TRAINER;
    }

    public boolean trains() {
        return this != CLASSIFIER;
    }

    public static Role parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role '" + s + "': use classifier, trainer or all");
        }
    }
}
