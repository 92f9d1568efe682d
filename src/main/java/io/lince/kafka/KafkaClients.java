package io.lince.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

/**
 * Client settings shared by every Lince client: the bootstrap servers plus pass-through
 * properties (security.protocol, sasl.*, ssl.*, …) for real clusters.
 */
public record KafkaClients(String bootstrapServers, Map<String, String> extra) {

    private static final Logger LOG = Logger.getLogger(KafkaClients.class);

    public KafkaClients {
        extra = Map.copyOf(extra);
    }

    public static KafkaClients of(String bootstrapServers) {
        return new KafkaClients(bootstrapServers, Map.of());
    }

    public Properties common() {
        Properties p = new Properties();
        p.putAll(extra);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    /** Lince's producer settings; the user's {@code lince.kafka.properties} win over them. */
    public Properties producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 * 1024 * 1024));
        p.putAll(common());
        return p;
    }

    /**
     * A consumer without a group, reading committed data only (the isolation level is not the
     * user's to change: uncommitted records are not Lince's outputs); the user's other settings win.
     */
    public Properties reader() {
        Properties p = new Properties();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(16 * 1024 * 1024));
        p.putAll(common());
        p.remove(ConsumerConfig.GROUP_ID_CONFIG); // readers assign their partitions: no group, whatever the user set
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    /** Creates the topics that are missing; existing ones are left as they are. */
    public void ensureTopics(Topics topics) {
        try (Admin admin = Admin.create(common())) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (String t : topics.all()) {
                if (!existing.contains(t)) {
                    Map<String, String> cfg = new HashMap<>();
                    cfg.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(16 * 1024 * 1024));
                    if (topics.compacted(t)) {
                        cfg.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
                    }
                    missing.add(new NewTopic(t, topics.partitionsOf(t), (short) -1).configs(cfg));
                }
            }
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
                LOG.infof("created topics %s", missing.stream().map(NewTopic::name).toList());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create Lince's topics on " + bootstrapServers
                    + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    public static final Duration POLL = Duration.ofMillis(200);
}
