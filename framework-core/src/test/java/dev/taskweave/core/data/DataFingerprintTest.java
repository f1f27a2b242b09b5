package dev.taskweave.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DataFingerprintTest {
    @Test
    void chunkedHashingDigestsTheSameBytesAsOneBufferSoStoredFingerprintsStillMatch() throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        for (int n : new int[] {0, 3, (1 << 20) - 1, 1 << 20, (5 << 19) + 7}) {
            float[] floats = new float[n];
            int[] ints = new int[n];
            for (int k = 0; k < n; k++) {
                floats[k] = (float) random.nextGaussian();
                ints[k] = random.nextInt();
            }
            ByteBuffer whole = ByteBuffer.allocate(n * 4);
            whole.asFloatBuffer().put(floats);
            MessageDigest expected = MessageDigest.getInstance("SHA-256");
            expected.update(whole.array());
            MessageDigest actual = MessageDigest.getInstance("SHA-256");
            DataFingerprint.floats(actual, floats);
            assertArrayEquals(expected.digest(), actual.digest(), "floats, n = " + n);

            whole.clear();
            whole.asIntBuffer().put(ints);
            expected.update(whole.array());
            DataFingerprint.ints(actual, ints);
            assertArrayEquals(expected.digest(), actual.digest(), "ints, n = " + n);
        }
    }

    @Test
    void aSparseTableDigestsAsItsDenseFormSoAModelsFingerprintDoesNotDependOnStorage() throws Exception {
        SplittableRandom random = new SplittableRandom(9);
        int rows = 50;
        int width = 37;
        float[] dense = new float[rows * width];
        for (int k = 0; k < dense.length; k++) {
            dense[k] = random.nextInt(6) == 0 ? (float) random.nextGaussian() : 0f; // rows 10..14 left empty below
        }
        java.util.Arrays.fill(dense, 10 * width, 15 * width, 0f);
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        DataFingerprint.floats(expected, dense);
        MessageDigest actual = MessageDigest.getInstance("SHA-256");
        DataFingerprint.floats(actual, dev.taskweave.api.data.SparseRows.fromDense(dense, width));
        assertArrayEquals(expected.digest(), actual.digest());
    }
}
