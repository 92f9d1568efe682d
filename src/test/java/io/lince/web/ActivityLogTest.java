package io.lince.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.Classification;
import io.lince.contracts.ImageEvent;
import io.lince.contracts.LabelledExample;
import io.lince.contracts.Prediction;
import io.lince.contracts.RetrainingSample;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActivityLogTest {

    private static Prediction guess(String label, float confidence, int version) {
        return Prediction.newBuilder().setLabel(label).setProbabilities(Map.of(label, confidence, "other", 1 - confidence))
                .setConfidence(confidence).setMargin(2 * confidence - 1).setEntropy(0.5f).setModelVersion(version).build();
    }

    private static Classification classified(String id, Prediction p) {
        return Classification.newBuilder().setImageId(id).setEventTime(Instant.EPOCH).setPrediction(p).setDecodeMillis(1)
                .setInferenceMillis(1).setClassifiedAt(Instant.EPOCH).build();
    }

    private static RetrainingSample sent(String id, Prediction p) {
        ImageEvent image = ImageEvent.newBuilder().setId(id).setEventTime(Instant.EPOCH).setSource("cam").build();
        return RetrainingSample.newBuilder().setImage(image).setPrediction(p).setUncertainty(0.4f).setReason("r").build();
    }

    private static LabelledExample labelled(String id, String label) {
        ImageEvent image = ImageEvent.newBuilder().setId(id).setEventTime(Instant.EPOCH).setSource("cam").build();
        return LabelledExample.newBuilder().setImageId(id).setImage(image).setLabel(label).setLabeller("lea")
                .setLabelledAt(Instant.EPOCH).build();
    }

    @Test
    void feedNewestFirstQueueLeastCertainFirstAndLabelledImagesLeaveTheQueue() {
        ActivityLog log = new ActivityLog(2, 10, 10_000);
        log.image("a", "cam", "data:a");
        log.classified(classified("a", guess("cats", 0.9f, 1)), 1_000);
        log.classified(classified("b", guess("cats", 0.6f, 1)), 2_000);
        log.classified(classified("c", guess("dogs", 0.55f, 1)), 3_000);
        assertEquals(List.of("c", "b"), log.feed(10).stream().map(ActivityLog.FeedItem::imageId).toList(), "bounded, newest first");

        log.sentForLabelling(sent("b", guess("cats", 0.6f, 1)), null, 2_100);
        log.sentForLabelling(sent("c", guess("dogs", 0.55f, 1)), null, 3_100);
        log.sentForLabelling(sent("c", guess("dogs", 0.55f, 1)), null, 3_200); // a duplicate counts once
        assertEquals(List.of("c", "b"), log.queue(10).stream().map(ActivityLog.QueueItem::imageId).toList());
        assertTrue(log.feed(10).get(0).uncertain());

        log.labelled(labelled("c", "cats"), 4_000);
        assertEquals(List.of("b"), log.queue(10).stream().map(ActivityLog.QueueItem::imageId).toList());
        assertEquals("cats", log.feed(10).get(0).label());
        assertNull(log.feed(10).get(1).label());
    }

    @Test
    void bucketsCountThroughputUncertaintyAndLabelledAccuracyByVersion() {
        ActivityLog log = new ActivityLog(10, 10, 10_000);
        log.classified(classified("a", guess("cats", 0.6f, 1)), 1_000);
        log.classified(classified("b", guess("cats", 0.6f, 2)), 2_000);
        log.classified(classified("c", guess("cats", 0.6f, 2)), 12_000);
        log.sentForLabelling(sent("a", guess("cats", 0.6f, 1)), null, 1_000);
        log.sentForLabelling(sent("b", guess("cats", 0.6f, 2)), null, 2_000);
        log.labelled(labelled("a", "cats"), 15_000);
        log.labelled(labelled("b", "dogs"), 16_000);
        log.labelled(labelled("b", "dogs"), 17_000); // the same example again changes nothing
        List<ActivityLog.Bucket> b = log.buckets();
        assertEquals(2, b.size());
        assertEquals(2, b.get(0).classified());
        assertEquals(2, b.get(0).uncertain());
        assertEquals(2, b.get(0).version(), "the newest version seen in the bucket");
        assertArrayEquals(new int[] {1, 1}, b.get(1).labelledRightOfVersion().get(1), "v1 was right about a");
        assertArrayEquals(new int[] {0, 1}, b.get(1).labelledRightOfVersion().get(2), "v2 was wrong about b");
    }

    @Test
    void anErasedImageLeavesTheFeedTheQueueAndItsThumbnail() {
        ActivityLog log = new ActivityLog(10, 10, 10_000);
        log.image("a", "cam", "data:a");
        log.classified(classified("a", guess("cats", 0.6f, 1)), 1_000);
        log.sentForLabelling(sent("a", guess("cats", 0.6f, 1)), "data:a", 1_100);
        log.image("b", "cam", "data:b");
        log.classified(classified("b", guess("cats", 0.6f, 1)), 2_000);
        log.erase("a");
        assertNull(log.thumbnail("a"));
        assertEquals(List.of("b"), log.feed(10).stream().map(ActivityLog.FeedItem::imageId).toList());
        assertTrue(log.queue(10).isEmpty());
        assertEquals("data:b", log.thumbnail("b"));
    }
}
