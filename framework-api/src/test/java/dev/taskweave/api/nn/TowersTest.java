package dev.taskweave.api.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import java.util.List;
import org.junit.jupiter.api.Test;

class TowersTest {
    private static List<String> kinds(SequentialBlock block) {
        return block.getChildren().values().stream().map(b -> b instanceof Linear ? "linear"
                : b instanceof Dropout ? "dropout" : "relu").toList();
    }

    @Test
    void hiddenLayersThenALinearOutput() {
        SequentialBlock block = Towers.tower(List.of(8, 4), 0.2, 3);
        assertEquals(List.of("linear", "relu", "dropout", "linear", "relu", "dropout", "linear"), kinds(block));
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, new Shape(5, 6));
            assertEquals(new Shape(5, 3), block.getOutputShapes(new Shape[] {new Shape(5, 6)})[0]);
            Block first = block.getChildren().get(0).getValue();
            assertEquals(new Shape(8, 6), first.getParameters().get("weight").getArray().getShape());
        }
    }

    @Test
    void noDropoutLayerAtRateZeroAndNoHiddenLayerForAnEmptyTower() {
        assertEquals(List.of("linear", "relu", "linear"), kinds(Towers.tower(List.of(8), 0, 1)));
        assertEquals(List.of("linear"), kinds(Towers.tower(List.of(), 0.5, 1)));
        assertThrows(IllegalArgumentException.class, () -> Towers.tower(List.of(8), 0, 0));
    }
}
