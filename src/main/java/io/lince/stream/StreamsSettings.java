package io.lince.stream;

import io.lince.kafka.KafkaClients;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** Kafka Streams settings Lince's applications share: exactly-once v2, large records. */
public final class StreamsSettings {

    /** Above the worst-case batch (8 s of preparation, then the forward pass): see {@link #of}. */
    public static final int TRANSACTION_TIMEOUT_MS = 15_000;

    private StreamsSettings() {}

    /** A setting of Lince's own that the user's {@code lince.kafka.properties} may override. */
    private static void putIfAbsent(Properties p, String key, Object value) {
        if (!p.containsKey(key)) {
            p.put(key, value);
        }
    }

    public static Properties of(KafkaClients clients, String applicationId, Path stateDir, int threads) {
        Properties p = clients.common();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        // a table read from a topic restores from that topic, with no changelog of its own (the
        // trainer's table of retraining samples: see LabelJoinTopology)
        p.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.REUSE_KTABLE_SOURCE_TOPICS);
        // an idle thread returns from poll this often, so the batch punctuator keeps its deadline
        p.put(StreamsConfig.POLL_MS_CONFIG, 10);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), 16 * 1024 * 1024);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), 16 * 1024 * 1024);
        // Streams buffers up to this many records per partition after polling (default 1,000): at
        // images of up to 2 MiB that would be 2 GiB a partition. The classifier takes records off
        // this buffer at once (decoding is elsewhere), so 32 costs no throughput (bench/serving.sh:
        // the same rate with 1,000); k8s/lince.yaml sizes the heap from it.
        putIfAbsent(p, StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, 32);
        // an image takes tens of ms: keep polls small so a poll's work fits the poll interval
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 50);
        // A transaction stays open while a batch waits for its fetches (a deadline of at most
        // FetchPolicy.MAX_TIMEOUT each) and its forward pass: the timeout must be above that worst
        // case, or a batch that met a slow host fences its own producer. It must not be much more:
        // after a crash, a restarted instance (new transactional id: the stores are in memory) waits
        // for the dead one's open transaction to time out before its changelogs restore.
        String txTimeout = StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
        if (!p.containsKey(txTimeout) && !p.containsKey(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)) {
            p.put(txTimeout, TRANSACTION_TIMEOUT_MS);
        }
        // a replaced instance takes over within seconds, not the default 45 s (set either to override)
        if (!p.containsKey(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)) {
            p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
            p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1_000);
        }
        return p;
    }
}
