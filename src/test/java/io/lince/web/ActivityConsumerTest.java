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
                WireFormat.defaults(), "avro", new ActivityLog(10, 10, 10_000), 10)) {
            int granted = 0;
            for (int i = 0; i < 1_000; i++) { // a thousand images within one second
                granted += c.withinBudget(5_000 + i % 1000) ? 1 : 0;
            }
            assertEquals(ActivityConsumer.THUMBNAILS_PER_SECOND, granted);
            assertFalse(c.withinBudget(5_999));
            assertTrue(c.withinBudget(6_000), "a new second, a new budget");
        }
    }

    @Test
    void rawImagesReachTheFeedAsTheClassifierReadsThem() throws Exception {
        ActivityLog log = new ActivityLog(10, 10, 10_000);
        try (ActivityConsumer c = new ActivityConsumer(KafkaClients.of("127.0.0.1:1"), Topics.defaults(1),
                WireFormat.defaults(), "raw", log, 10)) {
            var record = new org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>(Topics.defaults(1).images(), 0, 0L,
                    "photo-1", io.lince.testing.TestImages.jpeg(0, 1));
            record.headers().add("lince-source", "cam-7".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            c.apply(record);
            assertTrue(log.thumbnail("photo-1") != null && log.thumbnail("photo-1").startsWith("data:image/"),
                    "a thumbnail of the raw bytes: " + log.thumbnail("photo-1"));
        }
    }
}
