package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class LeakWarningTest {
    @Test
    void aLeakIsAtLeastOneArrayPerStep() {
        // a few arrays made once (on the first steps) are no leak; one per step is
        assertNull(Trainer.leakWarning(1, 100, 0, null));
        assertNull(Trainer.leakWarning(1, 100, 99, null));
        assertNull(Trainer.leakWarning(1, 0, 0, null));
        assertEquals("warning: epoch 2's 1,000 training steps left 2,500 arrays in the model's memory, 2.5 per step, which grows"
                + " until the run ends: a block computes from one of its parameters first (an operation's result belongs to its"
                + " first operand's manager, which for a parameter is the model's); see Blocks.assertStepLeavesNoArrays in"
                + " framework-testkit", Trainer.leakWarning(2, 1000, 2500, null));
    }
}
