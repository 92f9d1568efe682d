package io.lince.web;

import io.lince.app.LinceNode;
import io.lince.config.LinceConfig;
import io.lince.contracts.LabelEvent;
import io.lince.ops.RunningNode;
import io.lince.wire.WireFormat;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ServiceUnavailableException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The dashboard's view of the node this process runs: its activity log (fed from Kafka from the
 * first request on) and a producer for the labels people give. Rebuilt if the node changes.
 */
@ApplicationScoped
public class Dashboard {

    @Inject
    RunningNode running;

    @Inject
    LinceConfig config;

    private final WireFormat wire = WireFormat.defaults();
    private LinceNode node;
    private ActivityLog log;
    private ActivityConsumer consumer;
    private KafkaProducer<String, LabelEvent> producer;

    /** Starts following a node as soon as it runs, so the feed has history by the first page load. */
    synchronized void onNodeStarted(@jakarta.enterprise.event.Observes LinceNode started) {
        try {
            attach();
        } catch (RuntimeException e) {
            // the dashboard attaches again on its first request
        }
    }

    public synchronized ActivityLog log() {
        attach();
        return log;
    }

    public int bucketSeconds() {
        return config.web().bucketSeconds();
    }

    public List<String> classes() {
        return node().firstChampion().getClasses();
    }

    /** Publishes a person's label to the labels topic and waits until the broker has it. */
    public LabelEvent label(LabelEvent event) throws InterruptedException {
        KafkaProducer<String, LabelEvent> p;
        String topic;
        synchronized (this) {
            attach();
            p = producer;
            topic = node.options().topics().labels();
        }
        try {
            p.send(new ProducerRecord<>(topic, event.getImageId(), event)).get(30, TimeUnit.SECONDS);
            return event;
        } catch (ExecutionException | TimeoutException e) {
            throw new ServiceUnavailableException("the label could not be published: " + e.getMessage());
        }
    }

    private LinceNode node() {
        return running.require();
    }

    private void attach() {
        LinceNode current = node();
        if (current == node) {
            return;
        }
        close();
        node = current;
        LinceConfig.Web web = config.web();
        log = new ActivityLog(web.feedSize(), web.queueSize(), web.bucketSeconds() * 1000L);
        consumer = new ActivityConsumer(current.clients(), current.options().topics(), wire, log, web.feedSize()).start();
        producer = new KafkaProducer<>(current.clients().producer(), new StringSerializer(), wire.serde(LabelEvent.class).serializer());
    }

    @PreDestroy
    synchronized void close() {
        try {
            if (consumer != null) {
                consumer.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (producer != null) {
            producer.close();
        }
        consumer = null;
        producer = null;
        node = null;
    }
}
