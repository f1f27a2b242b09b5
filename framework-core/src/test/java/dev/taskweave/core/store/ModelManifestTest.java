package dev.taskweave.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.NumericScale;
import dev.taskweave.core.config.ConfigLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelManifestTest {
    private final ObjectMapper json = ConfigLoader.strict(new ObjectMapper());

    @Test
    void featuresKeepTheirScalesAndNamesThroughTheModelFile() throws Exception {
        ModelManifest manifest = new ModelManifest();
        manifest.features.addAll(List.of(
                FeatureSpec.identifier("item_id", Entity.ITEM, 5),
                FeatureSpec.categorical("item_brand", Entity.ITEM, List.of("acme", "zeta")),
                FeatureSpec.multiHot("item_tags", Entity.ITEM, List.of("new", "sale")),
                FeatureSpec.history("item_history", Entity.ITEM, 7),
                FeatureSpec.history("user_history", Entity.USER, 5, dev.taskweave.api.data.Histories.Scale.ROOT),
                FeatureSpec.numeric("item_price", Entity.ITEM, new NumericScale(true, 3.25, 0.75)),
                FeatureSpec.numeric("item_weight", Entity.ITEM),
                FeatureSpec.recent("user_recent_rating", Entity.USER)));
        ModelManifest read = json.readValue(json.writeValueAsString(manifest), ModelManifest.class);
        assertEquals(manifest.features, read.features);
    }

    @Test
    void aModelFileFromBeforeScalesReadsWithout() throws Exception {
        String old = """
                {"name": "item_year", "entity": "ITEM", "kind": "NUMERIC", "size": 1, "id": false, "labels": [],
                 "fromInteractions": false}""";
        FeatureSpec f = json.readValue(old, FeatureSpec.class);
        assertEquals("item_year", f.name());
        assertNull(f.scale());
        org.junit.jupiter.api.Assertions.assertFalse(f.perInteraction());
    }

    @Test
    void aModelFileFromBeforePerInteractionFeaturesReadsWithout() throws Exception {
        // as the published ml100k-mtl models of 2026-12-02 store their first feature
        String old = """
                {"name": "user_id", "entity": "USER", "kind": "CATEGORICAL", "size": 944, "id": true, "labels": [],
                 "fromInteractions": false, "scale": null}""";
        FeatureSpec f = json.readValue(old, FeatureSpec.class);
        assertEquals(FeatureSpec.identifier("user_id", Entity.USER, 944), f);
    }

    @Test
    void aHistoryFromBeforeDeclaredScalesReadsAsStored() throws Exception {
        // as the published ml100k-mtl models of 2026-12-03 store their user history: the model was
        // trained on its rows as stored, the own entry left out, and is served so
        String old = """
                {"name": "user_history", "entity": "USER", "kind": "MULTI_HOT", "size": 1682, "id": false, "labels": [],
                 "fromInteractions": true, "scale": null, "perInteraction": false, "pair": false}""";
        FeatureSpec f = json.readValue(old, FeatureSpec.class);
        assertEquals(FeatureSpec.history("user_history", Entity.USER, 1682), f);
        assertNull(f.historyScale());
    }
}
