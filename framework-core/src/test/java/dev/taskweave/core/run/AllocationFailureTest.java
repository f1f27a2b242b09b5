package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.engine.EngineException;
import org.junit.jupiter.api.Test;

class AllocationFailureTest {
    @Test
    void pyTorchRefusingAnAllocationIsReadFromTheCauses() {
        EngineException torch = new EngineException("DefaultCPUAllocator: can't allocate memory: you tried to allocate 95200000000"
                + " bytes. Error code 12 (Cannot allocate memory)\nException raised from allocate_impl at ...");
        // as a plugin's block raises it: wrapped by the runtime
        RuntimeException wrapped = new RuntimeException("type 'mmoe' failed in initialize()", torch);
        assertEquals("one array of them needs 95,200,000,000 bytes", ModelAssembler.allocationFailure(wrapped));
        assertEquals("one array of them needs 95,200,000,000 bytes", ModelAssembler.allocationFailure(torch));
        // the engine's other failures, and everything else, are not about memory
        assertNull(ModelAssembler.allocationFailure(new EngineException("shape mismatch")));
        assertNull(ModelAssembler.allocationFailure(new IllegalStateException("can't allocate memory")));
        // a message without the size is kept as the engine wrote it (its first line)
        assertEquals("can't allocate memory: out of pages",
                ModelAssembler.allocationFailure(new EngineException("can't allocate memory: out of pages\nat ...")));
    }
}
