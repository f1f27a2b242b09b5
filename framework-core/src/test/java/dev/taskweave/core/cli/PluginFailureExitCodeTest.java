package dev.taskweave.core.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.plugin.PluginFailureException;
import org.junit.jupiter.api.Test;

class PluginFailureExitCodeTest {
    @Test
    void aPluginThatDoesNotFitTheHostIsBadInputAndItsOwnBugIsAFailure() {
        // a linkage error: the installation (plugin built against another API, library not packed) -> exit 2
        assertTrue(TaskweaveCli.isBadInput(PluginFailureException.of("type 'x'", "acme", "1.0", "create()", null, null,
                new AbstractMethodError("m"))));
        // the plugin's own exception -> exit 1, reported naming the plugin rather than as Taskweave's internal error
        assertFalse(TaskweaveCli.isBadInput(PluginFailureException.of("type 'x'", "acme", "1.0", "create()", null, null,
                new IllegalStateException("m"))));
    }
}
