package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The PyTorch threads training runs on ({@code training.threads}). */
class TrainingThreadsTest {
    @Test
    void zeroChoosesOneThreadForSmallStepsAndTheEnginesCountForLargerOnes() {
        // the ml100k throughput suite's shared-bottom (~31,000 multiply-adds a row) and MMoE (~111,000)
        assertEquals(1, Trainer.threads(0, 256, 31_000, 2));
        assertEquals(1, Trainer.threads(0, 1024, 31_000, 2));
        assertEquals(2, Trainer.threads(0, 2048, 31_000, 2));
        assertEquals(1, Trainer.threads(0, 256, 111_000, 2));
        assertEquals(2, Trainer.threads(0, 1024, 111_000, 2));
        // the limit itself takes the engine's count; the product of a large batch and model does not overflow
        assertEquals(8, Trainer.threads(0, 1000, Trainer.TWO_THREAD_WORK / 1000, 8));
        assertEquals(1, Trainer.threads(0, 1000, Trainer.TWO_THREAD_WORK / 1000 - 1, 8));
        assertEquals(4, Trainer.threads(0, Integer.MAX_VALUE, Integer.MAX_VALUE, 4));
        assertEquals(1, Trainer.threads(0, 4096, 1_000_000, 1));
        // a count set is used as it is, above the engine's too
        assertEquals(2, Trainer.threads(2, 256, 31_000, 2));
        assertEquals(3, Trainer.threads(3, 4096, 1_000_000, 2));
        assertEquals(1, Trainer.threads(1, 4096, 1_000_000, 2));
    }
}
