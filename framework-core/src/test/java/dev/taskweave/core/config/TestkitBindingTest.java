package dev.taskweave.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskweave.testkit.PluginConfigs;
import org.junit.jupiter.api.Test;

/** The testkit binds plugin params with the runtime's rules, so plugin tests see what users see. */
class TestkitBindingTest {
    @Test
    void theTestkitsMapperHasTheRuntimesDeserializationFeatures() {
        ObjectMapper runtime = ConfigLoader.strict(new ObjectMapper());
        ObjectMapper testkit = PluginConfigs.strict(new ObjectMapper());
        assertEquals(runtime.getDeserializationConfig().getDeserializationFeatures(),
                testkit.getDeserializationConfig().getDeserializationFeatures());
        assertNotEquals(new ObjectMapper().getDeserializationConfig().getDeserializationFeatures(),
                runtime.getDeserializationConfig().getDeserializationFeatures(), "the runtime's rules are not Jackson's defaults");
    }
}
