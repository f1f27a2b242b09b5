package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.taskweave.api.model.TaskIndexedParameters.TaskAxis;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A parameter's task axes carried by the tasks' names ({@link WarmStart#carryByTask}), by hand. */
class WarmStartCarryTest {
    private static final Parameter OLD = Parameter.builder().setName("old").setType(Parameter.Type.OTHER).build();
    private static final Parameter NEW = Parameter.builder().setName("new").setType(Parameter.Type.OTHER).build();

    @Test
    void slicesFollowTheirTaskANewTaskKeepsItsOwnAndTheRestIsCarried() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // tasks a, b, c with 2 entries each, then one that is no task's (a gate's shared expert)
            NDArray from = manager.create(new float[] {0, 1, 2, 3, 4, 5, 6});
            NDArray to = manager.create(new float[] {100, 101, 102, 103, 104, 105, 106});
            assertNull(WarmStart.carryByTask(from, List.of(new TaskAxis(OLD, 0, 2)), List.of("a", "b", "c"), to,
                    List.of(new TaskAxis(NEW, 0, 2)), List.of("c", "d", "a"), manager));
            // c's pair, d's initialisation (d is new), a's pair, the shared entry; b is gone
            assertArrayEquals(new float[] {4, 5, 102, 103, 0, 1, 6}, to.toFloatArray());
        }
    }

    @Test
    void aMixingMatrixIsPermutedOnBothAxes() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // alpha[t, s]: what t takes of s; rows and columns a, b
            NDArray from = manager.create(new float[] {0.9f, 0.1f, 0.2f, 0.8f}, new Shape(2, 2));
            NDArray to = manager.zeros(new Shape(2, 2));
            List<TaskAxis> oldAxes = List.of(new TaskAxis(OLD, 0, 1), new TaskAxis(OLD, 1, 1));
            List<TaskAxis> newAxes = List.of(new TaskAxis(NEW, 0, 1), new TaskAxis(NEW, 1, 1));
            assertNull(WarmStart.carryByTask(from, oldAxes, List.of("a", "b"), to, newAxes, List.of("b", "a"), manager));
            // b takes 0.8 of itself and 0.2 of a, wherever they stand
            assertArrayEquals(new float[] {0.8f, 0.2f, 0.1f, 0.9f}, to.toFloatArray());
        }
    }

    @Test
    void anotherLayoutStartsAfresh() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray from = manager.create(new float[] {0, 1, 2, 3, 4, 5});
            NDArray to = manager.create(new float[] {9, 9, 9, 9});
            // 2 entries per task before, 1 now
            assertEquals("shape (6) before, (4) now, laid out by task with 2 per task before, 1 now", WarmStart.carryByTask(from,
                    List.of(new TaskAxis(OLD, 0, 2)), List.of("a", "b", "c"), to, List.of(new TaskAxis(NEW, 0, 1)),
                    List.of("a", "b", "c", "d"), manager));
            assertArrayEquals(new float[] {9, 9, 9, 9}, to.toFloatArray());
        }
    }
}
