package dev.taskweave.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Histories;
import dev.taskweave.core.store.ModelStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a saved model's features are compared with the data's (resume, teachers). */
class SavedFeaturesTest {
    private static final FeatureSpec ID = FeatureSpec.identifier("user_id", Entity.USER, 5);
    private static final FeatureSpec DECLARED = FeatureSpec.history("user_history", Entity.USER, 7, Histories.Scale.ROOT);
    private static final FeatureSpec UNDECLARED = FeatureSpec.history("user_history", Entity.USER, 7);

    @Test
    void aModelReadsAsTheDataWhenEachOfItsFeaturesTheDataHasIsTheSame() {
        ModelStore.Finished saved = new ModelStore.Finished(null, "fp", List.of(ID, UNDECLARED, FeatureSpec.pair("neighbours")));
        // a history without the scale the data now declares (a model of an earlier release)
        assertFalse(saved.readsAs(List.of(ID, DECLARED)));
        // the pair feature is derived after the data is read: not compared; a feature the data has besides is not read
        assertTrue(saved.readsAs(List.of(ID, UNDECLARED, FeatureSpec.numeric("user_age", Entity.USER))));
        assertFalse(saved.readsAs(List.of(FeatureSpec.identifier("user_id", Entity.USER, 6), UNDECLARED)));
    }

    @Test
    void aTeachersFeaturesAreComparedByNameThenFeatureByFeature() {
        assertEquals("[user_id, user_history], where this experiment reads [user_id]",
                Taskweave.featureDifference(List.of(ID, UNDECLARED), List.of(ID)));
        assertEquals("feature user_history is " + UNDECLARED + " there and " + DECLARED + " here",
                Taskweave.featureDifference(List.of(ID, UNDECLARED), List.of(ID, DECLARED)));
        assertTrue(UNDECLARED.toString().contains("historyScale=null") && DECLARED.toString().contains("historyScale=ROOT"));
    }
}
