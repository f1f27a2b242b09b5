package dev.taskweave.plugins.heads.attributes;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** Binds a map the way the runtime binds a YAML {@code params} block. */
final class Configs {
    private static final ObjectMapper MAPPER =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private Configs() {}

    static <C> C bind(Map<String, ?> params, Class<C> type) {
        return MAPPER.convertValue(params, type);
    }
}
