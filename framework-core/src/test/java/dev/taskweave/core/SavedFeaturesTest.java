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
        // only the history scale: labels a release before them did not record read the same data the same way
        assertTrue(new ModelStore.Finished(null, "fp", List.of(FeatureSpec.categorical("user_job", Entity.USER, 3)))
                .readsAs(List.of(FeatureSpec.categorical("user_job", Entity.USER, List.of("artist", "doctor")))));
    }

    @Test
    void aTeachersFeaturesAreComparedByNameThenFeatureByFeature() {
        assertEquals("[user_id, user_history], where this experiment reads [user_id]",
                Taskweave.featureDifference(List.of(ID, UNDECLARED), List.of(ID)));
        assertEquals("feature user_history: historyScale null there, ROOT here",
                Taskweave.featureDifference(List.of(ID, UNDECLARED), List.of(ID, DECLARED)));
        assertEquals("feature user_id: size 5 there, 6 here",
                Taskweave.featureDifference(List.of(ID), List.of(FeatureSpec.identifier("user_id", Entity.USER, 6))));
        // every component, not a list of them kept by hand: the entity too
        assertEquals("feature user_id: entity USER there, ITEM here",
                Taskweave.featureDifference(List.of(ID), List.of(FeatureSpec.identifier("user_id", Entity.ITEM, 5))));
        assertEquals("feature user_job: other labels (2 there, 2 here)",
                Taskweave.featureDifference(List.of(FeatureSpec.categorical("user_job", Entity.USER, List.of("artist", "doctor"))),
                        List.of(FeatureSpec.categorical("user_job", Entity.USER, List.of("artist", "nurse")))));
    }
}
