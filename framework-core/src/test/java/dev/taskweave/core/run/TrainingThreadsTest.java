package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The PyTorch threads training runs on ({@code training.threads}). */
class TrainingThreadsTest {
    @Test
    void zeroChoosesOneThreadForSmallBatchesAndTheEnginesCountForLargerOnes() {
        assertEquals(1, Trainer.threads(0, 256, 2));
        assertEquals(1, Trainer.threads(0, Trainer.ONE_THREAD_BATCH, 8));
        assertEquals(2, Trainer.threads(0, Trainer.ONE_THREAD_BATCH + 1, 2));
        assertEquals(8, Trainer.threads(0, 4096, 8));
        assertEquals(1, Trainer.threads(0, 4096, 1));
        // a count set is used as it is, above the engine's too
        assertEquals(2, Trainer.threads(2, 256, 2));
        assertEquals(3, Trainer.threads(3, 4096, 2));
        assertEquals(1, Trainer.threads(1, 4096, 2));
    }
}
