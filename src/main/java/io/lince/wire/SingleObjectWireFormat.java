package io.lince.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Avro single-object encoding: {@code C3 01}, the writer schema's 8-byte fingerprint, then the
 * binary record. A reader resolves any writer schema it knows: the current ones, and the older
 * versions listed in {@code lince/schemas/history/index.txt} (or added at run time), so records
 * written by an older producer still read, with new fields taking their defaults.
 *
 * <p>The fingerprint is CRC-64-AVRO ({@link org.apache.avro.SchemaNormalization#parsingFingerprint64})
 * of the schema's parsing canonical form, written little-endian: for the current ImageEvent the
 * bytes {@code 31 86 a0 37 d3 b5 f3 fc} (schemas/README.md lists every schema's).
 */
public final class SingleObjectWireFormat implements WireFormat {

    static final String HISTORY = "lince/schemas/history/";

    private final SchemaStore.Cache store = new SchemaStore.Cache();
    /** The older schemas added, so that a reader can say which fingerprints it knows. */
    private final java.util.List<Schema> older = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Knows the current schemas plus the shipped history. */
    public static SingleObjectWireFormat withHistory() {
        SingleObjectWireFormat f = new SingleObjectWireFormat();
        try (InputStream index = resource(HISTORY + "index.txt")) {
            if (index != null) {
                for (String line : new String(index.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    String name = line.strip();
                    if (!name.isEmpty() && !name.startsWith("#")) {
                        try (InputStream in = resource(HISTORY + name)) {
                            f.addSchema(new Schema.Parser().parse(in));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the schema history", e);
        }
        return f;
    }

    /** Teaches readers an older writer schema. */
    public void addSchema(Schema schema) {
        store.addSchema(schema);
        older.add(schema);
    }

    @Override
    public <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
        String name = org.apache.avro.specific.SpecificData.getForClass(type).getSchema(type).getFullName();
        return new AvroSerde<>(type, store, older.stream().filter(x -> x.getFullName().equals(name)).toList());
    }

    private static InputStream resource(String name) {
        return SingleObjectWireFormat.class.getClassLoader().getResourceAsStream(name);
    }
}
