package dev.taskweave.api.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class ScalarsTest {
    /**
     * Runs {@code op} forward, then lets the garbage collector free every unreachable direct buffer
     * and fills new ones with 99 so freed memory is overwritten, then runs backward.
     */
    private static float[] gradientUnderCollection(BiFunction<NDArray, Float, NDArray> op, float c) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {1f, -2f, 3f, 0.5f});
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray y = op.apply(x, c).sum();
                List<ByteBuffer> filler = new ArrayList<>();
                for (int round = 0; round < 5; round++) {
                    System.gc();
                    Thread.sleep(20);
                    for (int i = 0; i < 2000; i++) {
                        ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
                        b.putFloat(0, 99f);
                        filler.add(b);
                    }
                }
                collector.backward(y);
            }
            return x.getGradient().toFloatArray();
        }
    }

    /**
     * The same forward and backward with DJL's {@code x.mul(3f)} gave the gradient -7.8e9 in every
     * element here (2026-12-01): backward read the freed scalar.
     */
    @Test
    void gradientsSurviveTheGarbageCollector() throws Exception {
        // d(sum(x * 3))/dx = 3; d(sum(x / 4))/dx = 0.25
        assertArrayEquals(new float[] {3f, 3f, 3f, 3f}, gradientUnderCollection(Scalars::mul, 3f));
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, gradientUnderCollection(Scalars::div, 4f));
        // max(x, 0.75) passes the gradient where x > 0.75; x^2 has gradient 2x
        assertArrayEquals(new float[] {1f, 0f, 1f, 0f}, gradientUnderCollection(Scalars::maximum, 0.75f));
        assertArrayEquals(new float[] {0f, 1f, 0f, 1f}, gradientUnderCollection(Scalars::minimum, 0.75f));
        assertArrayEquals(new float[] {2f, -4f, 6f, 1f}, gradientUnderCollection(Scalars::pow, 2f));
    }
}
