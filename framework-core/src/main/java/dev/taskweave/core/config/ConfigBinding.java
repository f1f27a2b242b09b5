package dev.taskweave.core.config;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.util.List;
import java.util.Map;

/**
 * The rules by which the runtime binds configuration onto classes: an experiment's YAML, and each
 * extension's {@code params} onto its configuration class. The plugin testkit's
 * {@code PluginConfigs} holds the same rules (the SPI depends on no Jackson databind, and the
 * runtime not on the testkit); {@code TestkitBindingTest} feeds both the same bad params.
 */
final class ConfigBinding {
    private ConfigBinding() {}

    /**
     * Configures {@code mapper} to refuse an unknown field, a {@code null} for a primitive, a
     * fraction for an integer and text after the value. The runtime reads the JSON it writes itself
     * (manifests, checkpoints) with these rules alone, since its metrics may be NaN.
     *
     * @return {@code mapper}
     */
    static ObjectMapper strict(ObjectMapper mapper) {
        return mapper
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
                .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false)
                .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);
    }

    /**
     * Configures {@code mapper} for what a person writes: {@link #strict} and, beyond it, a
     * {@code null} list or mapping, or a {@code null} in a list, is an error naming its path (it
     * would otherwise be a NullPointerException wherever it is read: {@code include:} left empty);
     * a number must be finite ({@code NaN} and {@code Infinity} written as plain words would
     * otherwise pass every {@code > 0} check); and a number where a flag is expected is an error
     * (Jackson would read any non-zero number as true). A string stays readable as a number or a
     * flag, since {@code ${VAR}} substitution writes its value quoted.
     *
     * @return {@code mapper}
     */
    static ObjectMapper written(ObjectMapper mapper) {
        strict(mapper);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        // YAML 1.1 reads an unquoted yes, no, on or off as a flag: a column named on would otherwise be read as "true"
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.configOverride(List.class).setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.FAIL, Nulls.FAIL));
        mapper.configOverride(Map.class).setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.FAIL));
        return mapper.registerModule(FiniteNumbers.module());
    }
}
