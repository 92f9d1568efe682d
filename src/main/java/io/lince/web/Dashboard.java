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

    /**
     * A Grad-CAM heat map of a queued image for {@code label} (or the serving model's own label),
     * computed on this node's serving model, laid over the model's input crop, as PNG bytes. It
     * runs on the request's worker thread under a lease of the model, like one more batch of one,
     * and never on the stream's threads.
     *
     * @throws jakarta.ws.rs.NotFoundException when the image is no longer held or this node serves no model
     */
    public byte[] gradCam(String imageId, String label) throws java.io.IOException {
        byte[] bytes = log().queuedImage(imageId);
        if (bytes == null) {
            throw new jakarta.ws.rs.NotFoundException("image " + imageId + " is not in the labelling queue (or its bytes are no longer held)");
        }
        io.lince.model.ModelSlot slot = node().slot().orElseThrow(() -> new jakarta.ws.rs.NotFoundException(
                "this node serves no model (its role does not classify)"));
        byte[] png = slot.withModel(m -> {
            try {
                int size = m.info().inputSize();
                byte[] crop = new io.lince.images.InputCrop(io.lince.images.ImageDecoder.defaults(), true).crop(bytes, size);
                int c = label == null || label.isBlank()
                        ? io.lince.model.Uncertainty.of(m.probabilities(java.nio.ByteBuffer.allocateDirect(crop.length).put(crop).flip(), 1)[0]).top()
                        : m.info().classIndex(label);
                if (c < 0) {
                    throw new jakarta.ws.rs.BadRequestException("unknown class '" + label + "': the model's classes are " + m.info().classes());
                }
                java.awt.image.BufferedImage over = io.lince.model.GradCam.overlay(crop, size, io.lince.model.GradCam.of(m, crop, c));
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                javax.imageio.ImageIO.write(over, "png", out);
                return out.toByteArray();
            } catch (io.lince.images.InvalidImageException | java.io.IOException e) {
                throw new jakarta.ws.rs.BadRequestException("image " + imageId + " cannot be read: " + e.getMessage());
            }
        });
        return png;
    }

    /** JSON has no NaN: a measure that does not exist (yet) is null. */
    private static Double number(Double d) {
        return d == null || d.isNaN() || d.isInfinite() ? null : d;
    }

    /** What the serving model's calibration and the drift watch say now, for the dashboard. */
    public java.util.Map<String, Object> watch() {
        LinceNode n = node();
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        n.slot().ifPresent(s -> {
            out.put("version", s.info().version());
            out.put("temperature", s.info().temperature());
            out.put("hasReference", s.info().reference() != null);
        });
        n.registry().champion().ifPresent(c -> {
            out.put("ece", number(c.getMetrics().get("ece")));
            out.put("brier", number(c.getMetrics().get("brier")));
        });
        n.drift().ifPresent(d -> {
            io.lince.watch.DriftWatch.Status st = d.status();
            out.put("drift", st.state().name().toLowerCase(java.util.Locale.ROOT));
            out.put("confidencePsi", number(st.confidencePsi()));
            out.put("embeddingShift", number(st.embeddingShift()));
            out.put("driftSince", st.since());
        });
        n.shadow().flatMap(io.lince.watch.ShadowRunner::version).ifPresent(v -> out.put("shadowVersion", v));
        return out;
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
        // the node's formats: a newer producer schema it was given reads here too
        WireFormat wire = current.wire();
        consumer = new ActivityConsumer(current.clients(), current.options().topics(), wire,
                current.options().input().formats().images(), log, web.feedSize()).start();
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
