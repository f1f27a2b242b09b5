package dev.taskweave.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import dev.taskweave.api.model.TaskHead;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class HeadChecksTest {
    /** Masked mean squared error on a linear output; {@code broken} picks one way to get it wrong. */
    private record SquaredError(String broken) implements TaskHead {
        @Override
        public Block createBlock() {
            return Linear.builder().setUnits(1).build();
        }

        @Override
        public NDArray loss(NDArray output, NDArray labels, NDArray mask) {
            NDArray squared = output.reshape(-1).sub(labels).square();
            NDArray count = mask.sum().maximum(mask.getManager().create(1f));
            return switch (broken) {
                case "all rows" -> squared.mean();
                case "denominator" -> squared.mul(mask).sum().div(mask.getManager().create((float) mask.size()));
                default -> squared.mul(mask).sum().div(count);
            };
        }

        @Override
        public NDArray scores(NDArray output) {
            return output.reshape(-1);
        }

        @Override
        public List<String> defaultMetrics() {
            return List.of("rmse");
        }
    }

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(3);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private NDArray x() {
        return manager.create(new float[] {1, 0, 0, 1, 1, 1, -1, 2, 0.5f, -0.5f, 2, 0}, new Shape(6, 2));
    }

    private NDArray y() {
        return manager.create(new float[] {1, 2, 3, 1, 0.5f, 4});
    }

    @Test
    void aMaskedMeanPassesAndTheLossFalls() {
        HeadChecks.assertContract(manager, new SquaredError(""), x(), y());
        SquaredError head = new SquaredError("");
        Block block = head.createBlock();
        block.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(6, 2));
        float[] losses = HeadChecks.fit(manager, head, block, x(), y(), manager.ones(new Shape(6)), 50);
        assertEquals(51, losses.length);
        assertTrue(losses[50] < losses[0] / 2, losses[0] + " -> " + losses[50]);
    }

    @Test
    void lossesThatReadUnlabelledRowsFail() {
        AssertionFailedError allRows = assertThrows(AssertionFailedError.class,
                () -> HeadChecks.assertContract(manager, new SquaredError("all rows"), x(), y()));
        assertTrue(allRows.getMessage().contains("no labelled row"), allRows.getMessage());
        AssertionFailedError denominator = assertThrows(AssertionFailedError.class,
                () -> HeadChecks.assertContract(manager, new SquaredError("denominator"), x(), y()));
        assertTrue(denominator.getMessage().contains("half the rows labelled"), denominator.getMessage());
    }

    @Test
    void aBatchOfFewerThanFourRowsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> HeadChecks.assertContract(manager, new SquaredError(""),
                manager.ones(new Shape(3, 2)), manager.ones(new Shape(3))));
    }
}
