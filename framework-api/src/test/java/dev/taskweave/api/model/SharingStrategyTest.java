package dev.taskweave.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.core.Linear;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharingStrategyTest {
    @Test
    void ofMakesANewBlockPerCallAndReportsItsWidth() {
        SharingStrategy strategy = SharingStrategy.of(() -> Linear.builder().setUnits(8).build(), 8);
        assertEquals(8, strategy.outputWidth());
        assertNotSame(strategy.createBlock(), strategy.createBlock());
        assertThrows(IllegalArgumentException.class, () -> SharingStrategy.of(() -> null, 0));
        assertThrows(NullPointerException.class, () -> SharingStrategy.of(null, 8));
    }

    @Test
    void aContextNeedsTasksAndAnInputWidth() {
        assertEquals(12, new SharingContext(List.of("rating", "click"), 12).inputWidth());
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class, () -> new SharingContext(List.of("a"), 0));
        assertTrue(width.getMessage().contains("inputWidth must be >= 1, got 0"), width.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SharingContext(List.of(), 4));
    }
}
