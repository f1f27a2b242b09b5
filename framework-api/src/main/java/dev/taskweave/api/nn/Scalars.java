package dev.taskweave.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.function.BinaryOperator;

/**
 * Arithmetic between an array and a Java number that is safe under autograd. Use these instead of
 * DJL's {@code NDArray.mul(Number)}, {@code div(Number)}, {@code maximum(Number)},
 * {@code minimum(Number)} and {@code pow(Number)} anywhere a gradient may flow.
 *
 * <p>Why: the PyTorch engine turns the number into a scalar tensor over a Java direct buffer, runs
 * the operation, and closes the scalar at once. These operations save that scalar for the backward
 * pass (the gradient of {@code x * c} is {@code c}), but the buffer belongs to Java: once the
 * garbage collector frees it, backward reads whatever now lives at that address. Training then
 * depends on when the collector ran, and two runs with the same seed differ. Here the scalar is
 * allocated by PyTorch, so the saved copy keeps it alive.
 */
public final class Scalars {
    private Scalars() {}

    /** @return {@code x * c} */
    public static NDArray mul(NDArray x, double c) {
        return apply(x, c, NDArray::mul);
    }

    /** @return {@code x / c} */
    public static NDArray div(NDArray x, double c) {
        return apply(x, c, NDArray::div);
    }

    /** @return the element-wise {@code max(x, c)} */
    public static NDArray maximum(NDArray x, double c) {
        return apply(x, c, NDArray::maximum);
    }

    /** @return the element-wise {@code min(x, c)} */
    public static NDArray minimum(NDArray x, double c) {
        return apply(x, c, NDArray::minimum);
    }

    /** @return {@code x ^ c} */
    public static NDArray pow(NDArray x, double c) {
        return apply(x, c, NDArray::pow);
    }

    /**
     * Runs {@code op(x, s)} with {@code s} a scalar holding {@code c}; closing {@code s} afterwards
     * only drops this handle, the graph keeps its own reference to PyTorch's memory.
     */
    private static NDArray apply(NDArray x, double c, BinaryOperator<NDArray> op) {
        try (NDArray s = scalar(x, c)) {
            return op.apply(x, s);
        }
    }

    /** A 0-dimensional array of {@code x}'s type holding {@code c}, in memory PyTorch owns. */
    private static NDArray scalar(NDArray x, double c) {
        return x.getManager().full(new Shape(), (float) c, x.getDataType());
    }
}
