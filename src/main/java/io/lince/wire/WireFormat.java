package io.lince.wire;

import io.lince.contracts.Classification;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * How Lince's Avro records travel. The default, {@link SingleObjectWireFormat}, needs no schema
 * registry; a registry-backed format (e.g. Apicurio's serde) plugs in here without touching the
 * topologies.
 */
public interface WireFormat {

    <T extends SpecificRecord> Serde<T> serde(Class<T> type);

    static WireFormat defaults() {
        return SingleObjectWireFormat.withHistory();
    }

    /**
     * This format with classifications written as {@code format} ({@code avro}: unchanged, or
     * {@code json}: {@link ClassificationJson}); either way they are read in both.
     */
    default WireFormat classificationsAs(String format) {
        boolean json = ClassificationJson.isJson(format);
        WireFormat base = this;
        return new WireFormat() {
            @Override
            @SuppressWarnings("unchecked")
            public <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
                if (type != Classification.class) {
                    return base.serde(type);
                }
                Serde<Classification> avro = base.serde(Classification.class);
                return (Serde<T>) Serdes.serdeFrom(json ? ClassificationJson.serializer() : avro.serializer(),
                        ClassificationJson.either(avro.deserializer()));
            }
        };
    }
}
