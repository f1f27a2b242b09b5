package dev.taskweave.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.FeatureSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputEncoderTest {
    @Test
    void multiHotFlagsAreAveragedAndHistoriesReadAsGiven() {
        // two features of width 3 projected to 1 column each; both projections are (1, 2, 4)
        List<FeatureSpec> features = List.of(FeatureSpec.multiHot("tags", Entity.ITEM, 3),
                FeatureSpec.history("item_history", Entity.ITEM, 3));
        InputEncoder encoder = new InputEncoder(features, 1, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            encoder.initialize(manager, DataType.FLOAT32, new Shape(2, 3), new Shape(2, 3));
            for (Pair<String, Parameter> p : encoder.getParameters()) {
                p.getValue().getArray().set(new float[] {1, 2, 4});
            }
            // row 0: flags (1, 1, 0) -> mean of 1 and 2; a history weighted (0.5, 0.5, 0) -> 1.5 as well
            // row 1: flags (0, 0, 1) -> 4; a signed rating-weighted history (-1, 0, 0.5) -> -1 + 2 = 1
            NDList inputs = new NDList(manager.create(new float[] {1, 1, 0, 0, 0, 1}, new Shape(2, 3)),
                    manager.create(new float[] {0.5f, 0.5f, 0, -1, 0, 0.5f}, new Shape(2, 3)));
            float[] out = encoder.forward(new ParameterStore(manager, false), inputs, false).singletonOrThrow().toFloatArray();
            assertArrayEquals(new float[] {1.5f, 1.5f, 4f, 1f}, out, 1e-6f);
        }
    }

    @Test
    void aHistoryInASparseArrayEncodesAndTrainsAsItsDenseForm() {
        // the gatherer hands a wide history over as a sparse (COO) array of its entries: the
        // projection and its gradient are the dense input's. Table columns (1, 10, 100): row 0
        // holds (0.5, 0, 0.5) -> 50.5, row 1 (0, -1, 0) -> -10, row 2 nothing -> 0
        InputEncoder encoder = new InputEncoder(List.of(FeatureSpec.history("user_history", Entity.USER, 3)), 1, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            encoder.initialize(manager, DataType.FLOAT32, new Shape(3, 3));
            NDArray table = encoder.weight(0).getArray();
            table.set(new float[] {1, 10, 100});
            table.setRequiresGradient(true);
            NDArray sparse = manager.createCoo(java.nio.FloatBuffer.wrap(new float[] {0.5f, 0.5f, -1}),
                    new long[][] {{0, 0, 1}, {0, 2, 1}}, new Shape(3, 3));
            NDArray out;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                out = encoder.forward(new ParameterStore(manager, false), new NDList(sparse), true).singletonOrThrow();
                // weights 1, 2, 3 per row: d/d table[k] = sum over rows of weight x entry
                collector.backward(out.mul(manager.create(new float[] {1, 2, 3}, new Shape(3, 1))).sum());
            }
            assertArrayEquals(new float[] {50.5f, -10f, 0f}, out.toFloatArray(), 1e-5f);
            // column 0: 1 x 0.5; column 1: 2 x -1; column 2: 1 x 0.5
            assertArrayEquals(new float[] {0.5f, -2f, 0.5f}, table.getGradient().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void aSingleFeaturesTableGetsItsGradient() {
        // DJL's concatenation of one array returns a copy detached from autograd: an encoder of
        // one feature (a wide part's own history, say) must hand its part on as it is
        InputEncoder encoder = new InputEncoder(List.of(FeatureSpec.history("item_history", Entity.ITEM, 3)), 2, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            encoder.initialize(manager, DataType.FLOAT32, new Shape(2, 3));
            NDArray table = encoder.weight(0).getArray();
            table.setRequiresGradient(true);
            NDList inputs = new NDList(manager.create(new float[] {0.5f, 0.5f, 0, 0, 0, 1}, new Shape(2, 3)));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray out = encoder.forward(new ParameterStore(manager, false), inputs, true).singletonOrThrow();
                collector.backward(out.sum());
            }
            // d sum / d table[j][k] = the column sum of the inputs: (0.5, 0.5, 1), for each of the 2 columns
            assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f, 1, 1}, table.getGradient().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void aFeatureNotEncodedArrivesButTakesNoColumnsNorTable() {
        // user id (3 codes), a recent mean (numeric), item id (3 codes); the recent mean is left to the wide parts
        List<FeatureSpec> features = List.of(FeatureSpec.identifier("user_id", Entity.USER, 3),
                FeatureSpec.recent("user_recent", Entity.USER), FeatureSpec.identifier("item_id", Entity.ITEM, 3));
        InputEncoder all = new InputEncoder(features, 2, true);
        InputEncoder without = new InputEncoder(features, 2, true, java.util.Set.of("user_recent"));
        org.junit.jupiter.api.Assertions.assertEquals(2 + 1 + 2 + 2, all.outputWidth());
        org.junit.jupiter.api.Assertions.assertEquals(2 + 2 + 2, without.outputWidth());
        assertArrayEquals(new int[] {0, 2, 2}, without.columnStarts());
        org.junit.jupiter.api.Assertions.assertEquals(4, without.productStart());
        org.junit.jupiter.api.Assertions.assertFalse(without.encodes(1));
        try (NDManager manager = NDManager.newBaseManager()) {
            without.initialize(manager, DataType.FLOAT32, new Shape(2), new Shape(2, 1), new Shape(2));
            org.junit.jupiter.api.Assertions.assertEquals(2, without.getParameters().size());
            // user table rows (code 1) = (1, 2), item table row (code 2) = (3, 5)
            without.weight(0).getArray().set(new float[] {0, 0, 1, 2, 0, 0});
            without.weight(2).getArray().set(new float[] {0, 0, 0, 0, 3, 5});
            NDList inputs = new NDList(manager.create(new int[] {1, 0}), manager.create(new float[] {7, 9}, new Shape(2, 1)),
                    manager.create(new int[] {2, 2}));
            float[] out = without.forward(new ParameterStore(manager, false), inputs, false).singletonOrThrow().toFloatArray();
            // row 0: user (1, 2), item (3, 5), product (3, 10); row 1: unknown user (0, 0), item (3, 5), product 0
            assertArrayEquals(new float[] {1, 2, 3, 5, 3, 10, 0, 0, 3, 5, 0, 0}, out, 1e-6f);
        }
        // without an encoded id there is no id product
        org.junit.jupiter.api.Assertions.assertEquals(-1,
                new InputEncoder(features, 2, true, java.util.Set.of("item_id")).productStart());
    }
}
