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

    /**
     * Teaches readers the newer writer schemas in {@code dir} (every {@code *.avsc}): what an
     * upstream team's producer writes after adding a field, without a registry. Each must name one
     * of Lince's record types and be readable as it (Avro's schema resolution: a new field is
     * skipped, a field Lince has and the writer lacks needs a default); one that isn't fails the
     * start with the incompatibilities Avro names, rather than dead-lettering every event later.
     */
    public SingleObjectWireFormat withWriters(java.nio.file.Path dir) {
        java.util.List<java.nio.file.Path> files;
        try (var listing = java.nio.file.Files.list(dir)) {
            files = listing.filter(f -> f.getFileName().toString().endsWith(".avsc")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list writer schemas in " + dir + " (lince.schemas.writers): " + e.getMessage(), e);
        }
        for (java.nio.file.Path f : files) {
            Verdict v = check(f);
            if (!v.readable()) {
                throw new IllegalArgumentException("writer schema " + f + " (lince.schemas.writers): " + v.describe());
            }
            addSchema(v.writer().orElseThrow());
        }
        return this;
    }

    /** The records Lince's topics carry, whose schemas producers and consumers share. */
    public static final java.util.List<Class<? extends SpecificRecord>> TOPIC_RECORDS = java.util.List.of(
            io.lince.contracts.ImageEvent.class, io.lince.contracts.Classification.class, io.lince.contracts.Prediction.class,
            io.lince.contracts.RetrainingSample.class, io.lince.contracts.LabelEvent.class, io.lince.contracts.LabelledExample.class,
            io.lince.contracts.ModelPublished.class, io.lince.contracts.DeadLetter.class, io.lince.contracts.RecordHeader.class,
            io.lince.contracts.Alert.class, io.lince.contracts.ShadowBatch.class);

    /** A schema readers know, by its fingerprint on the wire. */
    public record Known(String name, String fingerprint, boolean current) {}

    /** Lince's current topic schemas, then the older versions it still reads. */
    public static java.util.List<Known> known() {
        java.util.List<Known> out = new java.util.ArrayList<>();
        for (Class<? extends SpecificRecord> c : TOPIC_RECORDS) {
            out.add(new Known(c.getSimpleName(), AvroSerde.fingerprint(org.apache.avro.specific.SpecificData.get().getSchema(c)), true));
        }
        java.util.Set<String> onTopics = TOPIC_RECORDS.stream().map(Class::getName).collect(java.util.stream.Collectors.toSet());
        for (Schema older : withHistory().older.stream().filter(o -> onTopics.contains(o.getFullName())).toList()) {
            out.add(new Known(older.getName(), AvroSerde.fingerprint(older), false));
        }
        return out;
    }

    /**
     * Whether records written with a schema can be read as one of Lince's.
     *
     * @param writer the schema, when it parsed
     * @param readable Avro's schema resolution reads it as Lince's record of the same full name
     * @param reason why not, or what it is
     */
    public record Verdict(java.util.Optional<Schema> writer, boolean readable, String reason) {
        public String describe() {
            return readable ? reason : "NOT readable: " + reason;
        }
    }

    /**
     * Checks a producer's schema against Lince's: it must name one of Lince's record types and be
     * readable as it (a new field is skipped; a field Lince has and the writer lacks needs a default).
     */
    public static Verdict check(java.nio.file.Path file) {
        Schema writer;
        try {
            // the schema may name Lince's other types (a Classification names Prediction): known
            // here, except the one the file defines itself
            String text = java.nio.file.Files.readString(file);
            com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
            String ns = json.path("namespace").asText("");
            String name = json.path("name").asText("");
            String full = name.contains(".") || ns.isEmpty() ? name : ns + "." + name;
            writer = new Schema.Parser().addTypes(TOPIC_RECORDS.stream().filter(c -> !c.getName().equals(full))
                    .map(c -> org.apache.avro.specific.SpecificData.get().getSchema(c)).toList()).parse(text);
        } catch (IOException | RuntimeException e) {
            return new Verdict(java.util.Optional.empty(), false, "does not parse: " + e.getMessage());
        }
        java.util.Optional<Schema> reader = readerFor(writer.getFullName());
        if (reader.isEmpty()) {
            return new Verdict(java.util.Optional.of(writer), false, writer.getFullName()
                    + " is not a record on Lince's topics (lince schemas fingerprints lists them)");
        }
        var result = org.apache.avro.SchemaCompatibility.checkReaderWriterCompatibility(reader.get(), writer).getResult();
        if (result.getCompatibility() != org.apache.avro.SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return new Verdict(java.util.Optional.of(writer), false, "cannot be read as Lince's " + reader.get().getName() + ": "
                    + result.getIncompatibilities().stream().map(i -> i.getMessage() + " at " + i.getLocation())
                            .collect(java.util.stream.Collectors.joining("; ")));
        }
        String fp = AvroSerde.fingerprint(writer);
        boolean same = fp.equals(AvroSerde.fingerprint(reader.get()));
        return new Verdict(java.util.Optional.of(writer), true, "readable as Lince's " + reader.get().getName() + "; fingerprint "
                + fp + (same ? " (Lince's own schema: nothing to configure)" : " (give it to the classifiers: lince.schemas.writers)"));
    }

    /** Lince's current schema of that full name, if it has one. */
    static java.util.Optional<Schema> readerFor(String fullName) {
        return TOPIC_RECORDS.stream().filter(c -> c.getName().equals(fullName))
                .map(c -> org.apache.avro.specific.SpecificData.get().getSchema(c)).findFirst();
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
