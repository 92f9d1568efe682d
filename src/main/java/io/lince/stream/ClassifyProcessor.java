package io.lince.stream;

import io.lince.contracts.Classification;
import io.lince.contracts.ImageEvent;
import io.lince.contracts.Prediction;
import io.lince.contracts.RetrainingSample;
import io.lince.images.InvalidImageException;
import io.lince.model.ImageClassifier;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;

/**
 * One image event in; a classification out, plus a retraining sample when the model is unsure,
 * or a dead letter when any stage fails. The input arrives as raw bytes so that even a record
 * that is not Avro reaches the dead-letter topic intact.
 */
final class ClassifyProcessor implements Processor<String, byte[], String, SpecificRecord> {

    private static final Logger LOG = Logger.getLogger(ClassifyProcessor.class);

    private final Deserializer<ImageEvent> images;
    private final ImageClassifier classifier;
    private final RoutingPolicy policy;
    private ProcessorContext<String, SpecificRecord> context;

    ClassifyProcessor(Deserializer<ImageEvent> images, ImageClassifier classifier, RoutingPolicy policy) {
        this.images = images;
        this.classifier = classifier;
        this.policy = policy;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        ImageEvent event;
        try {
            event = images.deserialize(context.recordMetadata().map(m -> m.topic()).orElse(""), record.value());
        } catch (SerializationException e) {
            deadLetter(record, null, "deserialize", e.getMessage());
            return;
        }
        if (event == null) {
            deadLetter(record, null, "deserialize", "empty record (tombstone) on the image topic");
            return;
        }
        ByteBuffer inline = event.getBytes();
        if (inline == null) {
            deadLetter(record, event.getId(), "fetch", event.getUri() == null
                    ? "event carries neither image bytes nor a uri"
                    : "claim-check uri not fetched: no uri source is allowed on this classifier");
            return;
        }
        ImageClassifier.Classified result;
        try {
            result = classifier.classify(bytes(inline));
        } catch (InvalidImageException e) {
            deadLetter(record, event.getId(), "decode", e.getMessage());
            return;
        } catch (RuntimeException e) {
            LOG.warnf(e, "classifying %s failed", event.getId());
            deadLetter(record, event.getId(), "classify", String.valueOf(e.getMessage()));
            return;
        }
        emit(record, event, result);
    }

    private void emit(Record<String, byte[]> record, ImageEvent event, ImageClassifier.Classified result) {
        Prediction p = result.prediction();
        Classification c = Classification.newBuilder()
                .setImageId(event.getId())
                .setEventTime(event.getEventTime())
                .setPrediction(p)
                .setDecodeMillis(result.decodeMillis())
                .setInferenceMillis(result.inferenceMillis())
                .setClassifiedAt(Instant.now())
                .build();
        context.forward(new Record<String, SpecificRecord>(event.getId(), c, record.timestamp()),
                ClassifierTopology.CLASSIFICATIONS);
        policy.reasonToRetrain(p).ifPresent(reason -> context.forward(
                new Record<String, SpecificRecord>(event.getId(), RetrainingSample.newBuilder()
                        .setImage(event)
                        .setPrediction(p)
                        .setUncertainty(policy.value(p))
                        .setReason(reason)
                        .build(), record.timestamp()),
                ClassifierTopology.RETRAINING));
    }

    private void deadLetter(Record<String, byte[]> record, String imageId, String stage, String reason) {
        context.forward(new Record<String, SpecificRecord>(
                        imageId != null ? imageId : record.key(),
                        DeadLetters.of(record, context.recordMetadata(), imageId, stage, reason),
                        record.timestamp()),
                ClassifierTopology.DEAD_LETTER);
    }

    private static byte[] bytes(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
