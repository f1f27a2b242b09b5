package dev.taskweave.api.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class WeightingInputsTest {
    @Test
    void absentTasksLoseTheirLossEvenWhenItIsNaN() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // the mean of no rows is NaN: a task absent from the batch must not carry it into the total
            NDList inputs = new NDList(manager.create(new float[] {0.5f, Float.NaN, 2f}),
                    manager.create(new boolean[] {true, false, true}));
            NDArray present = WeightingInputs.present(inputs);
            assertEquals(DataType.FLOAT32, present.getDataType());
            assertArrayEquals(new float[] {1f, 0f, 1f}, present.toFloatArray());
            assertArrayEquals(new float[] {0.5f, 0f, 2f}, WeightingInputs.presentLosses(inputs, present).toFloatArray());
        }
    }

    @Test
    void shapesAreCheckedAgainstTheTaskCountAndNamed() {
        WeightingInputs.checkInputShapes("fixed weighting", 3, new Shape(3), new Shape(3));
        assertEquals("fixed weighting expects (losses (3), present (3)), got [(3), (2)]",
                assertThrows(IllegalArgumentException.class,
                        () -> WeightingInputs.checkInputShapes("fixed weighting", 3, new Shape(3), new Shape(2))).getMessage());
        assertEquals("uncertainty weighting expects (losses (2), present (2)), got [(2)]",
                assertThrows(IllegalArgumentException.class,
                        () -> WeightingInputs.checkInputShapes("uncertainty weighting", 2, new Shape(2))).getMessage());
        Shape[] out = WeightingInputs.outputShapes(4);
        assertEquals(new Shape(), out[0]);
        assertEquals(new Shape(4), out[1]);
    }
}
