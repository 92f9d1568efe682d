package io.lince.wire;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

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
}
