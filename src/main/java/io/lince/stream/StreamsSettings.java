package io.lince.stream;

import io.lince.kafka.KafkaClients;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** Kafka Streams settings Lince's applications share: exactly-once v2, large records. */
public final class StreamsSettings {

    private StreamsSettings() {}

    public static Properties of(KafkaClients clients, String applicationId, Path stateDir, int threads) {
        Properties p = clients.common();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        // an idle thread returns from poll this often, so the batch punctuator keeps its deadline
        p.put(StreamsConfig.POLL_MS_CONFIG, 10);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), 16 * 1024 * 1024);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), 16 * 1024 * 1024);
        // an image takes tens of ms: keep polls small so a poll's work fits the poll interval
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 50);
        // a replaced instance takes over within seconds, not the default 45 s (set either to override)
        if (!p.containsKey(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)) {
            p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
            p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1_000);
        }
        return p;
    }
}
