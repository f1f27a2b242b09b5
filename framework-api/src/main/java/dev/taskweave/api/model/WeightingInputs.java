package dev.taskweave.api.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * The input and output contract of a {@link LossWeighting} block, for the blocks to check and read
 * their inputs by: {@code NDList(losses [tasks], present [tasks])} in, {@code NDList(total [],
 * weights [tasks])} out.
 */
public final class WeightingInputs {
    private WeightingInputs() {}

    /**
     * Fails unless the block receives {@code (losses [tasks], present [tasks])}.
     *
     * @param block how the block is named in the message, e.g. {@code "fixed weighting"}
     */
    public static void checkInputShapes(String block, int tasks, Shape... inputShapes) {
        Shape expected = new Shape(tasks);
        if (inputShapes.length != 2 || !expected.equals(inputShapes[0]) || !expected.equals(inputShapes[1])) {
            throw new IllegalArgumentException(block + " expects (losses " + expected + ", present " + expected
                    + "), got " + Arrays.toString(inputShapes));
        }
    }

    /** @return the output shapes, {@code (total [], weights [tasks])} */
    public static Shape[] outputShapes(int tasks) {
        return new Shape[] {new Shape(), new Shape(tasks)};
    }

    /** @return {@code present} (the second input) in the losses' data type: 1 where a task has labelled rows, else 0 */
    public static NDArray present(NDList inputs) {
        return inputs.get(1).toType(inputs.get(0).getDataType(), false);
    }

    /**
     * @param present {@link #present(NDList)}'s array
     * @return the losses with those of absent tasks set to 0, so that a NaN there (the mean of no
     *     rows) reaches neither the total nor the gradients, as a product by 0 would
     */
    public static NDArray presentLosses(NDList inputs, NDArray present) {
        NDArray losses = inputs.get(0);
        return NDArrays.where(present.gt(0), losses, losses.zerosLike());
    }
}
