package dev.taskweave.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.run.EpochRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NonFiniteJsonTest {
    static final ObjectMapper JSON = ConfigLoader.strict(new ObjectMapper()).registerModule(NonFiniteJson.module());

    @Test
    void nonFiniteFiguresAreWrittenAsNullAndReadBackAsNaN() throws Exception {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("rmse", 0.875);
        metrics.put("auc", Double.NaN);
        metrics.put("logloss", Double.POSITIVE_INFINITY);
        String text = JSON.writeValueAsString(Map.of("test", Map.of("like", metrics)));
        assertEquals("{\"test\":{\"like\":{\"rmse\":0.875,\"auc\":null,\"logloss\":null}}}", text);
        Map<String, Map<String, Map<String, Double>>> back = JSON.readValue(text, new TypeReference<>() {});
        assertEquals(0.875, back.get("test").get("like").get("rmse"));
        assertTrue(back.get("test").get("like").get("auc").isNaN());
        // what earlier releases wrote
        Map<String, Double> old = JSON.readValue("{\"a\":\"NaN\",\"b\":\"Infinity\",\"c\":\"-Infinity\",\"d\":1}", new TypeReference<>() {});
        assertTrue(old.get("a").isNaN());
        assertEquals(Double.POSITIVE_INFINITY, old.get("b"));
        assertEquals(Double.NEGATIVE_INFINITY, old.get("c"));
        assertEquals(1.0, old.get("d"));
        assertThrows(MismatchedInputException.class, () -> JSON.readValue("{\"a\":\"fast\"}", new TypeReference<Map<String, Double>>() {}));
        assertThrows(MismatchedInputException.class, () -> JSON.readValue("{\"a\":[1]}", new TypeReference<Map<String, Double>>() {}));
    }

    @Test
    void anEpochOfADivergedRunRoundTrips() throws Exception {
        EpochRecord epoch = new EpochRecord(3, Map.of("rating", Double.NaN), Map.of("rating", 1.0),
                Map.of("rating", Map.of("rmse", Double.NaN)), Double.NaN, 1200.5, Map.of(), Map.of("rating", List.of(0.5, Double.NaN)),
                Map.of());
        String text = JSON.writeValueAsString(epoch);
        assertTrue(text.contains("\"trainLoss\":{\"rating\":null}") && text.contains("\"seconds\":null")
                && text.contains("\"gateUsage\":{\"rating\":[0.5,null]}"), text);
        EpochRecord back = JSON.readValue(text, EpochRecord.class);
        assertTrue(back.trainLoss().get("rating").isNaN());
        assertTrue(Double.isNaN(back.seconds()));
        assertEquals(1200.5, back.samplesPerSecond());
        assertTrue(back.gateUsage().get("rating").get(1).isNaN());
    }
}
