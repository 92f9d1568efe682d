package io.lince.stream;

import java.util.Collection;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Asks Lince to forget images: a tombstone (the image id as key, no value) on the image topic
 * per id. Keyed like the images themselves (by id, UTF-8), it lands on their partition, after
 * them, so each classifier task erases what it published of the image too. What an upstream app
 * does to erase is the same: publish that tombstone.
 */
public final class Erasure {

    private Erasure() {}

    /** Publishes one tombstone per id and waits until the broker has them all. */
    public static void request(Properties producer, String imageTopic, Collection<String> ids)
            throws InterruptedException, ExecutionException {
        for (String id : ids) {
            if (id == null || id.isBlank() || id.length() > EventChecks.MAX_ID_LENGTH) {
                throw new IllegalArgumentException("not an image id Lince can have: '" + id + "'");
            }
        }
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(producer, new StringSerializer(), new ByteArraySerializer())) {
            var sent = ids.stream().map(id -> p.send(new ProducerRecord<>(imageTopic, id, null))).toList();
            for (var s : sent) {
                s.get();
            }
        }
    }
}
