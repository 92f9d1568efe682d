package io.lince.stream;

import io.lince.kafka.KafkaClients;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** Kafka Streams settings Lince's applications share: exactly-once v2, large records. */
public final class StreamsSettings {

    /** Above the worst-case batch (8 s of preparation, then the forward pass): see {@link #of}. */
    public static final int TRANSACTION_TIMEOUT_MS = 15_000;

    private StreamsSettings() {}

    /**
     * Lince's settings for a Streams application, then the user's {@code lince.kafka.properties}
     * over them: a user setting always wins (prefixed or not: a user's {@code max.poll.records}
     * replaces Lince's {@code consumer.max.poll.records}), except the few Lince cannot run without,
     * which are refused with the key named.
     *
     * @throws IllegalArgumentException for a {@code processing.guarantee} other than exactly-once v2
     */
    public static Properties of(KafkaClients clients, String applicationId, Path stateDir, int threads) {
        Map<String, String> user = clients.extra();
        String guarantee = user.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        if (guarantee != null && !guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2)) {
            throw new IllegalArgumentException("lince.kafka.properties.\"processing.guarantee\"=" + guarantee
                    + " is refused: the classifier and the trainer rely on " + StreamsConfig.EXACTLY_ONCE_V2);
        }
        Properties p = new Properties();
        Defaults d = new Defaults(p, user);
        d.put("", StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        // a table read from a topic restores from that topic, with no changelog of its own (the
        // trainer's table of retraining samples: see LabelJoinTopology)
        d.put("", StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.REUSE_KTABLE_SOURCE_TOPICS);
        // an idle thread returns from poll this often, so the batch punctuator keeps its deadline
        d.put("", StreamsConfig.POLL_MS_CONFIG, 10);
        d.put(StreamsConfig.PRODUCER_PREFIX, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
        d.put(StreamsConfig.CONSUMER_PREFIX, ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        // Streams buffers up to this many records per partition after polling (default 1,000): at
        // images of up to 2 MiB that would be 2 GiB a partition. The classifier takes records off
        // this buffer at once (decoding is elsewhere), so 32 costs no throughput (bench/serving.sh:
        // the same rate with 1,000); k8s/lince.yaml sizes the heap from it.
        d.put("", StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, 32);
        // A transaction stays open while a batch waits for its fetches (a deadline of at most
        // FetchPolicy.MAX_TIMEOUT each) and its forward pass: the timeout must be above that worst
        // case, or a batch that met a slow host fences its own producer. It must not be much more:
        // after a crash, a restarted instance (new transactional id: the stores are in memory) waits
        // for the dead one's open transaction to time out before its changelogs restore.
        d.put(StreamsConfig.PRODUCER_PREFIX, ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        // a replaced instance takes over within seconds, not the default 45 s
        if (!user.containsKey(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)
                && !user.containsKey(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG))) {
            d.put(StreamsConfig.CONSUMER_PREFIX, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
            d.put(StreamsConfig.CONSUMER_PREFIX, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        }
        p.putAll(user);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, clients.bootstrapServers());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        return p;
    }

    /** Lince's defaults, each left out when the user set the same key, with or without a client prefix. */
    private record Defaults(Properties p, Map<String, String> user) {
        void put(String prefix, String key, Object value) {
            if (!user.containsKey(key) && !user.containsKey(prefix + key)) {
                p.put(prefix + key, value);
            }
        }
    }
}
