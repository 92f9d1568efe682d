package io.lince.web;

import io.lince.contracts.Classification;
import io.lince.contracts.LabelledExample;
import io.lince.contracts.Prediction;
import io.lince.contracts.RetrainingSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the dashboard shows, kept in memory and bounded: the latest classifications (with a
 * thumbnail when the image passed by), the labelling queue (images sent for labelling and not yet
 * labelled) and per-bucket counts for the charts. Fed by {@link ActivityConsumer}; synchronised,
 * since HTTP threads read while the consumer writes.
 */
public final class ActivityLog {

    /** A model's answer for one image, as the page shows it. */
    public record Guess(String label, Map<String, Float> probabilities, float confidence, float margin, float entropy,
            int modelVersion) {
        static Guess of(Prediction p) {
            return new Guess(p.getLabel(), new TreeMap<>(p.getProbabilities()), p.getConfidence(), p.getMargin(),
                    p.getEntropy(), p.getModelVersion());
        }
    }

    /** One classified image as the feed shows it. */
    public record FeedItem(String imageId, String source, String thumbnail, Guess prediction, long classifiedAt,
            boolean uncertain, String label) {
        FeedItem sentForLabelling() {
            return new FeedItem(imageId, source, thumbnail, prediction, classifiedAt, true, label);
        }

        FeedItem labelled(String as) {
            return new FeedItem(imageId, source, thumbnail, prediction, classifiedAt, uncertain, as);
        }
    }

    /** One image waiting for a label. */
    public record QueueItem(String imageId, String source, String thumbnail, Guess prediction, String reason) {}

    /**
     * One bucket of the charts: images classified, how many were sent for labelling, labelled
     * accuracy by version ([right, labelled]), and the newest model version that classified in it.
     */
    public record Bucket(long start, int classified, int uncertain, Map<Integer, int[]> labelledRightOfVersion, int version) {
        static Bucket empty(long start) {
            return new Bucket(start, 0, 0, Map.of(), 0);
        }

        Bucket classifiedBy(int modelVersion) {
            return new Bucket(start, classified + 1, uncertain, labelledRightOfVersion, Math.max(version, modelVersion));
        }

        Bucket sentForLabelling() {
            return new Bucket(start, classified, uncertain + 1, labelledRightOfVersion, version);
        }

        Bucket labelled(int modelVersion, boolean right) {
            Map<Integer, int[]> m = new TreeMap<>(labelledRightOfVersion);
            int[] counts = m.computeIfAbsent(modelVersion, v -> new int[2]).clone();
            counts[0] += right ? 1 : 0;
            counts[1]++;
            m.put(modelVersion, counts);
            return new Bucket(start, classified, uncertain, m, version);
        }
    }

    private final long bucketMillis;
    private final Map<String, String> thumbnails = lru(2_000);
    private final Map<String, String> sources = lru(2_000);
    private final Map<String, FeedItem> feed;
    private final Map<String, QueueItem> queue;
    private final Map<String, Prediction> sentPredictions = lru(20_000);
    /**
     * The bytes of queued images, for a Grad-CAM on demand: the newest first, at most
     * {@link #QUEUED_BYTES} together (a queue of large photos keeps its newest ones).
     */
    private final LinkedHashMap<String, byte[]> queuedBytes = new LinkedHashMap<>();
    private long queuedByteCount;
    static final long QUEUED_BYTES = 64L << 20;
    private final Map<String, String> labels = lru(20_000);
    private final TreeMap<Long, Bucket> buckets = new TreeMap<>();

    public ActivityLog(int feedSize, int queueSize, long bucketMillis) {
        this.bucketMillis = bucketMillis;
        this.feed = lru(feedSize);
        this.queue = lru(queueSize);
    }

    private static <K, V> Map<K, V> lru(int max) {
        return new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > max;
            }
        };
    }

    /** The thumbnail already made for an image, if any (a retraining sample repeats the image's bytes). */
    public synchronized String thumbnail(String id) {
        return thumbnails.get(id);
    }

    public synchronized void image(String id, String source, String thumbnail) {
        sources.put(id, source);
        if (thumbnail != null) {
            thumbnails.put(id, thumbnail);
        }
    }

    public synchronized void classified(Classification c, long at) {
        String id = c.getImageId();
        feed.remove(id); // re-inserted last: the newest
        feed.put(id, new FeedItem(id, sources.get(id), thumbnails.get(id), Guess.of(c.getPrediction()), at,
                sentPredictions.containsKey(id), labels.get(id)));
        bucket(at, b -> b.classifiedBy(c.getPrediction().getModelVersion()));
    }

    public synchronized void sentForLabelling(RetrainingSample s, String thumbnail, long at) {
        String id = s.getImage().getId();
        if (s.getImage().getBytes() != null && !labels.containsKey(id)) {
            byte[] b = new byte[s.getImage().getBytes().remaining()];
            s.getImage().getBytes().duplicate().get(b);
            holdBytes(id, b);
        }
        boolean first = sentPredictions.put(id, s.getPrediction()) == null;
        if (thumbnail != null) {
            thumbnails.put(id, thumbnail);
        }
        FeedItem f = feed.get(id);
        if (f != null) {
            feed.put(id, f.sentForLabelling());
        }
        if (!labels.containsKey(id)) {
            queue.put(id, new QueueItem(id, s.getImage().getSource(), thumbnail, Guess.of(s.getPrediction()), s.getReason()));
        }
        if (first) {
            bucket(at, Bucket::sentForLabelling);
        }
    }

    public synchronized void labelled(LabelledExample e, long at) {
        String id = e.getImageId();
        boolean first = labels.put(id, e.getLabel()) == null;
        queue.remove(id);
        dropBytes(id);
        FeedItem f = feed.get(id);
        if (f != null) {
            feed.put(id, f.labelled(e.getLabel()));
        }
        Prediction p = sentPredictions.get(id);
        if (first && p != null) {
            bucket(at, b -> b.labelled(p.getModelVersion(), p.getLabel().equals(e.getLabel())));
        }
    }

    private void bucket(long at, java.util.function.UnaryOperator<Bucket> change) {
        long start = at - Math.floorMod(at, bucketMillis);
        buckets.put(start, change.apply(buckets.getOrDefault(start, Bucket.empty(start))));
        while (buckets.size() > 360) {
            buckets.pollFirstEntry();
        }
    }

    /** The bytes of a queued image, if still held (see {@link #QUEUED_BYTES}). */
    public synchronized byte[] queuedImage(String id) {
        return queuedBytes.get(id);
    }

    private void holdBytes(String id, byte[] b) {
        dropBytes(id);
        if (b.length > QUEUED_BYTES) {
            return;
        }
        queuedBytes.put(id, b);
        queuedByteCount += b.length;
        var it = queuedBytes.entrySet().iterator();
        while (queuedByteCount > QUEUED_BYTES && it.hasNext()) {
            queuedByteCount -= it.next().getValue().length;
            it.remove();
        }
    }

    private void dropBytes(String id) {
        byte[] old = queuedBytes.remove(id);
        if (old != null) {
            queuedByteCount -= old.length;
        }
    }

    /** Forgets what it holds of an erased image: thumbnail, source, queue entry and feed item. */
    public synchronized void erase(String id) {
        dropBytes(id);
        thumbnails.remove(id);
        sources.remove(id);
        queue.remove(id);
        feed.remove(id);
        sentPredictions.remove(id);
        labels.remove(id);
    }

    /** The newest classifications first. */
    public synchronized List<FeedItem> feed(int limit) {
        List<FeedItem> all = new ArrayList<>(feed.values());
        all.sort(Comparator.comparingLong(FeedItem::classifiedAt).reversed());
        return List.copyOf(all.subList(0, Math.min(limit, all.size())));
    }

    /** The most uncertain waiting images first. */
    public synchronized List<QueueItem> queue(int limit) {
        List<QueueItem> all = new ArrayList<>(queue.values());
        all.sort(Comparator.comparingDouble(q -> q.prediction().margin()));
        return List.copyOf(all.subList(0, Math.min(limit, all.size())));
    }

    public synchronized List<Bucket> buckets() {
        return List.copyOf(buckets.values());
    }

}
