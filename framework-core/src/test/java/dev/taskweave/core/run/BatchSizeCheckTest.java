package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ExperimentConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchSizeCheckTest {
    @Test
    void aTrainingBatchOfTheWidestDenseFeatureOverOneBufferIsRefusedWithTheLargestThatFits() {
        ExperimentConfig config = new ExperimentConfig();
        config.training.batchSize = 16384;
        List<FeatureSpec> features = List.of(FeatureSpec.identifier("user_id", Entity.USER, 10),
                FeatureSpec.history("user_history", Entity.USER, 2000), FeatureSpec.multiHot("item_tags", Entity.ITEM, 40_000));
        ConfigException e = assertThrows(ConfigException.class,
                () -> ModelAssembler.checkBatchSizes(config, features, "exp.yaml", true));
        assertEquals("training.batchSize", e.path());
        assertTrue(e.getMessage().startsWith("exp.yaml: training.batchSize: 16384 rows of feature item_tags (40000 values wide,"
                + " 4 bytes each) are 2.44 GiB, more than the 2147483647 bytes"), e.getMessage());
        assertTrue(e.getMessage().endsWith("the largest batch that fits is 13421"), e.getMessage());
        // evaluate and predict read only evalBatchSize (4096 by default)
        ModelAssembler.checkBatchSizes(config, features, "exp.yaml", false);
        config.training.batchSize = 13421;
        ModelAssembler.checkBatchSizes(config, features, "exp.yaml", true);
        // a history as wide is gathered sparsely (8,192 columns and more): no buffer limits its batch
        config.training.batchSize = 16384;
        ModelAssembler.checkBatchSizes(config, List.of(FeatureSpec.history("user_history", Entity.USER, 2000),
                FeatureSpec.history("item_history", Entity.ITEM, 40_000)), "exp.yaml", true);
    }

    @Test
    void anEvaluationBatchIsCheckedAsWell() {
        ExperimentConfig config = new ExperimentConfig();
        config.training.batchSize = 64;
        List<FeatureSpec> wide = List.of(FeatureSpec.multiHot("item_tags", Entity.ITEM, 131_072));
        ConfigException e = assertThrows(ConfigException.class, () -> ModelAssembler.checkBatchSizes(config, wide, "m/experiment.yaml", false));
        assertEquals("training.evalBatchSize", e.path());
        assertTrue(e.getMessage().endsWith("the largest batch that fits is 4095"), e.getMessage());
        ModelAssembler.checkBatchSizes(config, List.of(FeatureSpec.multiHot("item_tags", Entity.ITEM, 131_071)), "x", true);
    }

    @Test
    void theLimitIsBytesPerDenseFeature() {
        // small numbers: 10 floats = 40 bytes a row, 400 bytes = 10 rows
        ExperimentConfig config = new ExperimentConfig();
        config.training.batchSize = 10;
        config.training.evalBatchSize = 11;
        List<FeatureSpec> features = List.of(FeatureSpec.history("user_history", Entity.USER, 10));
        ConfigException e = assertThrows(ConfigException.class, () -> ModelAssembler.checkBatchSizes(config, features, "x", true, 400));
        assertEquals("training.evalBatchSize", e.path());
        assertTrue(e.getMessage().endsWith("the largest batch that fits is 10"), e.getMessage());
        config.training.evalBatchSize = 10;
        ModelAssembler.checkBatchSizes(config, features, "x", true, 400);
        // no dense feature: nothing to check
        ModelAssembler.checkBatchSizes(config, List.of(FeatureSpec.identifier("user_id", Entity.USER, 10)), "x", true, 1);
    }

    @Test
    void evaluationRefusesTablesThatDoNotFitTwiceInTheHeap() {
        // a user history 3 wide over 2 users, an item history 2 wide over 3 items: 24 + 24 bytes, 96 for both copies
        List<FeatureSpec> features = List.of(FeatureSpec.identifier("user_id", Entity.USER, 3),
                FeatureSpec.history("user_history", Entity.USER, 3), FeatureSpec.history("item_history", Entity.ITEM, 2));
        dev.taskweave.api.data.EntityTable users = dev.taskweave.api.data.EntityTable.builder(Entity.USER, List.of("u0", "u1"))
                .categorical("user_id", new int[] {1, 2}).dense("user_history", 3, new float[6]).build();
        dev.taskweave.api.data.EntityTable items = dev.taskweave.api.data.EntityTable.builder(Entity.ITEM, List.of("i0", "i1", "i2"))
                .dense("item_history", 2, new float[6]).build();
        ModelAssembler.checkEvaluationHeap(features, users, items, "m", 160); // 0.6 x 160 = 96
        dev.taskweave.api.DataException e = assertThrows(dev.taskweave.api.DataException.class,
                () -> ModelAssembler.checkEvaluationHeap(features, users, items, "m", 159));
        assertTrue(e.getMessage().startsWith("m: evaluating holds the model's feature tables beyond ids (its histories: users x items"
                + " x 4 bytes per side where a data source stores them densely, 8 bytes per interaction where sparsely), 0.00 GiB, and"
                + " the data source builds them again"), e.getMessage());
        assertTrue(e.getMessage().contains("60% of the JVM's maximum heap"), e.getMessage());
        assertTrue(e.getMessage().contains("JAVA_OPTS=-Xmx1g or more"), e.getMessage());
        // no dense table: nothing to hold
        ModelAssembler.checkEvaluationHeap(features.subList(0, 1), users, items, "m", 1);
        // a sparse history counts its entries: 3 row starts (12 bytes) and 2 entries (16 bytes) for the user history
        dev.taskweave.api.data.EntityTable sparseUsers = dev.taskweave.api.data.EntityTable.builder(Entity.USER, List.of("u0", "u1"))
                .categorical("user_id", new int[] {1, 2})
                .sparse("user_history", dev.taskweave.api.data.SparseRows.fromDense(new float[] {0, 0.5f, 0, 0.5f, 0, 0}, 3)).build();
        // with the item history's 24 dense bytes, twice 52 = 104 bytes: 0.6 x 174 holds them, 0.6 x 173 does not
        ModelAssembler.checkEvaluationHeap(features, sparseUsers, items, "m", 174);
        assertThrows(dev.taskweave.api.DataException.class, () -> ModelAssembler.checkEvaluationHeap(features, sparseUsers, items, "m", 173));
    }
}
