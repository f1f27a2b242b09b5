package dev.taskweave.plugins.weighting.dynamic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/** Input checks and masking shared by the weighting blocks. */
final class BlockInputs {
    private BlockInputs() {}

    /** Checks that a block receives {@code (losses [tasks], present [tasks])}. */
    static void checkInputShapes(String block, int tasks, Shape[] inputShapes) {
        Shape expected = new Shape(tasks);
        if (inputShapes.length != 2 || !expected.equals(inputShapes[0]) || !expected.equals(inputShapes[1])) {
            throw new IllegalArgumentException(block + " expects (losses " + expected + ", present " + expected
                    + "), got " + Arrays.toString(inputShapes));
        }
    }

    /** @return {@code (total [], weights [tasks])} shapes */
    static Shape[] outputShapes(int tasks) {
        return new Shape[] {new Shape(), new Shape(tasks)};
    }

    /** @return {@code present} as the losses' data type */
    static NDArray present(NDList inputs) {
        return inputs.get(1).toType(inputs.get(0).getDataType(), false);
    }

    /** @return the losses with absent tasks set to 0, so a NaN there cannot reach the total or gradients */
    static NDArray presentLosses(NDList inputs, NDArray present) {
        NDArray losses = inputs.get(0);
        return NDArrays.where(present.gt(0), losses, losses.zerosLike());
    }
}
