package dev.taskweave.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;

/**
 * Refuses {@code NaN} and infinite numbers wherever a configuration reads a {@code double} or a
 * {@code float}. Jackson reads the plain words {@code NaN} and {@code Infinity} as those numbers,
 * and every range check of the form {@code value > 0} lets infinity through (a model trained with
 * an infinite weight decay is all NaN).
 */
final class FiniteNumbers {
    private FiniteNumbers() {}

    /** @return a module that wraps the deserializers of doubles and floats, boxed or not */
    static SimpleModule module() {
        SimpleModule module = new SimpleModule("taskweave-finite-numbers");
        module.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription description,
                    JsonDeserializer<?> deserializer) {
                Class<?> type = description.getBeanClass();
                boolean floating = type == double.class || type == Double.class || type == float.class || type == Float.class;
                return floating ? new Finite(deserializer) : deserializer;
            }
        });
        return module;
    }

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
