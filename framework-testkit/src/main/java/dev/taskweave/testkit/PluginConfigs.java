package dev.taskweave.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Binds a plugin's {@code params} map onto its configuration class with the runtime's rules
 * (framework-core's {@code ConfigBinding.written}, which the runtime binds params with): unknown fields,
 * {@code null} for a primitive, a fraction for an integer, a number for a flag, a {@code null}
 * list or mapping and a number that is not finite are errors.
 * Binding errors surface as Jackson's {@link IllegalArgumentException}, where the runtime reports
 * them with the file and path; range errors are the configuration's own
 * {@link InvalidConfigException}, as in the runtime.
 */
public final class PluginConfigs {
    private static final ObjectMapper MAPPER = strict(new ObjectMapper());

    private PluginConfigs() {}

    /** @return {@code mapper} configured with the runtime's binding rules (framework-core's {@code ConfigBinding.written}) */
    public static ObjectMapper strict(ObjectMapper mapper) {
        return BindingRules.apply(mapper);
    }

    /**
     * Binds without validating.
     *
     * @throws IllegalArgumentException when a field is unknown or a value has the wrong type
     */
    public static <C> C bind(Map<String, ?> params, Class<C> type) {
        return MAPPER.convertValue(params == null ? Map.of() : params, type);
    }

    /**
     * Binds and validates, as the runtime does before it creates an extension.
     *
     * @throws InvalidConfigException when {@link ValidatedConfig#validate()} rejects a value
     */
    public static <C extends ValidatedConfig> C bindValid(Map<String, ?> params, Class<C> type) {
        C config = bind(params, type);
        config.validate();
        return config;
    }

    /**
     * Fails unless binding and validating {@code params} is rejected with an error at {@code path}:
     * either by {@link ValidatedConfig#validate()} or, as the runtime does for a number that is not
     * finite, a {@code null} in a list or a number for a flag, by binding (an error at the same
     * path, returned as an {@link InvalidConfigException} with Jackson's message as its reason).
     *
     * @return the error, for checks on its reason
     */
    public static InvalidConfigException assertInvalid(Map<String, ?> params, Class<? extends ValidatedConfig> type,
            String path) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> {
            try {
                bindValid(params, type);
            } catch (IllegalArgumentException binding) {
                if (binding.getCause() instanceof JsonMappingException jackson) {
                    throw new InvalidConfigException(path(jackson), jackson.getOriginalMessage());
                }
                throw binding;
            }
        }, () -> "expected " + params + " to be rejected at " + path);
        assertEquals(path, e.path(), () -> "the error's path; reason: " + e.reason());
        return e;
    }

    /** @return the path of the value Jackson refused, {@code context.devices} or {@code tower[2]} */
    static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /**
     * A params map from alternating keys and values; unlike {@link Map#of} it keeps {@code null}
     * values (a field set to null) and the order given.
     */
    public static Map<String, Object> params(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("expected keys and values in pairs, got " + keysAndValues.length + " arguments");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
