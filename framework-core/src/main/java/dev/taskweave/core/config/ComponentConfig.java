package dev.taskweave.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Map;

/** A pluggable component chosen by type name, with the plugin's own parameters. */
public final class ComponentConfig {
    @JsonProperty("type")
    public String type;

    @JsonProperty("params")
    @com.fasterxml.jackson.annotation.JsonSetter(nulls = com.fasterxml.jackson.annotation.Nulls.AS_EMPTY) // "params:" left empty
    public Map<String, Object> params = new LinkedHashMap<>();

    public ComponentConfig() {}

    public ComponentConfig(String type, Map<String, Object> params) {
        this.type = type;
        this.params = new LinkedHashMap<>(params);
    }
}
