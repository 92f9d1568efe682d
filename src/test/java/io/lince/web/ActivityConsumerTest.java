package io.lince.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.kafka.KafkaClients;
import io.lince.kafka.Topics;
import io.lince.wire.WireFormat;
import org.junit.jupiter.api.Test;

/** The dashboard's reader decodes a bounded number of feed thumbnails, whatever the stream's rate. */
class ActivityConsumerTest {

    @Test
    void feedThumbnailsAreDecodedWithinAPerSecondBudget() throws Exception {
        // never started: no broker is contacted
        try (ActivityConsumer c = new ActivityConsumer(KafkaClients.of("127.0.0.1:1"), Topics.defaults(1),
                WireFormat.defaults(), new ActivityLog(10, 10, 10_000), 10)) {
            int granted = 0;
            for (int i = 0; i < 1_000; i++) { // a thousand images within one second
                granted += c.withinBudget(5_000 + i % 1000) ? 1 : 0;
            }
            assertEquals(ActivityConsumer.THUMBNAILS_PER_SECOND, granted);
            assertFalse(c.withinBudget(5_999));
            assertTrue(c.withinBudget(6_000), "a new second, a new budget");
        }
    }
}
