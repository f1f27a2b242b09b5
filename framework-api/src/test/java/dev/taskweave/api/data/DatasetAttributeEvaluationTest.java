package dev.taskweave.api.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A split evaluates an attribute only on entities whose label is known: others would be scored against filler. */
class DatasetAttributeEvaluationTest {
    private static Dataset dataset(int... evaluated) {
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0")).build();
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0", "i1", "i2")).build();
        // item 1's category is unknown (its value 0 is filler)
        EntityAttribute category = new EntityAttribute("item_category", Entity.ITEM, EntityAttribute.Kind.CLASS, 3,
                new float[] {2, 0, 1}, new boolean[] {true, false, true});
        return new Dataset("d", List.of(), users, items, Map.of(Dataset.TRAIN, new Interactions(new int[0], new int[0], Map.of())),
                Map.of(), Map.of(), Map.of("item_category", category), Map.of("attribute_test", Map.of("item_category", evaluated)));
    }

    @Test
    void onlyEntitiesWithAKnownLabelAreEvaluated() {
        assertEquals(2, dataset(0, 2).attributeEvaluation().get("attribute_test").get("item_category").length);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> dataset(0, 1));
        assertEquals("split attribute_test evaluates attribute item_category on entity 1, whose label is unknown", unknown.getMessage());
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class, () -> dataset(3));
        assertEquals("split attribute_test evaluates attribute item_category on entity 3, outside its 3 entities",
                outside.getMessage());
    }
}
