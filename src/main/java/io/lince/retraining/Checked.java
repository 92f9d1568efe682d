package io.lince.retraining;

import io.lince.contracts.DeadLetter;
import io.lince.stream.DeadLetters;
import java.util.function.Function;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Reads raw bytes as {@code T}, keyed by the image id inside, and checks them; what fails
 * becomes a {@link DeadLetter} instead. Downstream splits the two by type.
 */
final class Checked<T> implements Processor<String, byte[], String, Object> {

    private final Deserializer<T> deserializer;
    private final Function<T, String> imageId;
    private final Function<T, String> problem;
    private final String stage;
    private ProcessorContext<String, Object> context;

    Checked(Deserializer<T> deserializer, Function<T, String> imageId, Function<T, String> problem, String stage) {
        this.deserializer = deserializer;
        this.imageId = imageId;
        this.problem = problem;
        this.stage = stage;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        T value;
        try {
            value = deserializer.deserialize(context.recordMetadata().map(m -> m.topic()).orElse(""), record.value());
        } catch (SerializationException e) {
            context.forward(record.withValue(dead(record, null, "deserialize", e.getMessage())));
            return;
        }
        if (value == null) {
            return; // a tombstone: nothing to learn from
        }
        String id = imageId.apply(value);
        String why = problem.apply(value);
        Object out = why == null ? value : dead(record, id, stage, why);
        context.forward(new Record<String, Object>(id, out, record.timestamp(), record.headers()));
    }

    private DeadLetter dead(Record<String, byte[]> record, String id, String stage, String reason) {
        return DeadLetters.of(record, context.recordMetadata(), id, stage, reason);
    }
}
