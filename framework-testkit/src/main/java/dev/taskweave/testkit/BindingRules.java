package dev.taskweave.testkit;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The runtime's rules for binding {@code params} (framework-core's {@code ConfigBinding.written}),
 * held here too: the SPI depends on no Jackson databind, and the runtime not on the testkit.
 * framework-core's {@code TestkitBindingTest} feeds both the same bad params, so the two cannot
 * drift apart unnoticed.
 */
final class BindingRules {
    private BindingRules() {}

    /** @return {@code mapper}, refusing what the runtime refuses */
    static ObjectMapper apply(ObjectMapper mapper) {
        mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
                .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false)
                .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.configOverride(List.class).setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.FAIL, Nulls.FAIL));
        mapper.configOverride(Map.class).setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.FAIL));
        SimpleModule finite = new SimpleModule("taskweave-testkit-finite-numbers");
        finite.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription description,
                    JsonDeserializer<?> deserializer) {
                Class<?> type = description.getBeanClass();
                boolean floating = type == double.class || type == Double.class || type == float.class || type == Float.class;
                return floating ? new Finite(deserializer) : deserializer;
            }
        });
        return mapper.registerModule(finite);
    }

    /** Refuses {@code NaN} and infinities where a double or float is read. */
    private static final class Finite extends DelegatingDeserializer {
        Finite(JsonDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
            return new Finite(delegate);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext context) throws IOException {
            Object value = super.deserialize(p, context);
            if (value instanceof Number n && !Double.isFinite(n.doubleValue())) {
                throw InvalidFormatException.from(p, "not a finite number", value, handledType());
            }
            return value;
        }
    }
}
