package io.lince.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** schemas/README.md's fingerprint table is what the schemas give, and names every schema on a topic. */
class SchemaContractTest {

    @Test
    void theFingerprintTableMatchesTheSchemas() throws Exception {
        String doc = Files.readString(Path.of("schemas/README.md"));
        Matcher m = Pattern.compile("\\| `(\\w+)` \\| `([0-9a-f]{16})` \\|").matcher(doc);
        Map<String, String> table = new TreeMap<>();
        while (m.find()) {
            table.put(m.group(1), m.group(2));
        }
        for (var c : SingleObjectWireFormat.TOPIC_RECORDS) {
            String name = c.getSimpleName();
            Schema s = org.apache.avro.specific.SpecificData.get().getSchema(c);
            assertTrue(table.containsKey(name), name + " is missing from the table");
            assertEquals(AvroSerde.fingerprint(s), table.get(name), name + "'s fingerprint in schemas/README.md");
        }
        assertEquals(SingleObjectWireFormat.TOPIC_RECORDS.size(), table.size(), "no stale rows: " + table.keySet());
    }
}
