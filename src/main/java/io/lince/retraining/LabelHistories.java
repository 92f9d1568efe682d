package io.lince.retraining;

import io.lince.contracts.LabelEvent;
import io.lince.contracts.LabelHistory;
import java.util.ArrayList;
import java.util.List;

/** How an image's label history grows: a repeat of the latest event adds nothing; it keeps the latest {@value #KEPT}. */
final class LabelHistories {

    static final int KEPT = 50;

    private LabelHistories() {}

    static LabelHistory append(LabelHistory history, LabelEvent event) {
        List<LabelEvent> events = history == null ? new ArrayList<>() : new ArrayList<>(history.getEvents());
        if (!events.isEmpty() && events.get(events.size() - 1).equals(event)) {
            return history; // the same event delivered twice
        }
        events.add(event);
        if (events.size() > KEPT) {
            events = new ArrayList<>(events.subList(events.size() - KEPT, events.size()));
        }
        return LabelHistory.newBuilder().setImageId(event.getImageId()).setEvents(events).build();
    }
}
