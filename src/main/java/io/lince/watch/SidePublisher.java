package io.lince.watch;

import io.lince.kafka.KafkaClients;
import io.lince.wire.WireFormat;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Publishes what the watches notice (drift alerts, shadow batches) on a producer of their own,
 * outside the classifier's exactly-once transactions: they describe the stream rather than belong
 * to it, so a restart may repeat an alert or lose a shadow batch in flight, and neither ever waits
 * on a transaction. Sends are asynchronous; a failed send is logged, never thrown at the
 * forward thread.
 */
public final class SidePublisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SidePublisher.class);

    private final KafkaProducer<String, byte[]> producer;
    private final WireFormat wire;

    public SidePublisher(KafkaClients clients, WireFormat wire) {
        this.producer = new KafkaProducer<>(clients.producer(), new StringSerializer(), new ByteArraySerializer());
        this.wire = wire;
    }

    @SuppressWarnings("unchecked")
    public <T extends SpecificRecord> void send(String topic, String key, T value) {
        byte[] bytes = wire.serde((Class<T>) value.getClass()).serializer().serialize(topic, value);
        producer.send(new ProducerRecord<>(topic, key, bytes), (meta, error) -> {
            if (error != null) {
                LOG.warnf("could not publish to %s: %s", topic, error.toString());
            }
        });
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
