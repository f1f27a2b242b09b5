package dev.taskweave.core.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;

/**
 * JSON has no NaN or infinity: metrics and training curves (a metric undefined on a split, a
 * diverged run) write such a value as {@code null}, as {@code results.json} and the server do,
 * rather than as Jackson's default string {@code "NaN"}, which a reader expecting a number
 * chokes on. Reading takes {@code null} back as NaN, and the strings an earlier release wrote
 * ({@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}) as what they say.
 *
 * <p>For the files of figures only ({@code metrics.json}, {@code history.json}, the metrics
 * {@code train} and {@code evaluate} print): a field of a manifest whose null means "absent" keeps
 * its own mapper.
 */
public final class NonFiniteJson {
    private NonFiniteJson() {}

    /** @return a module writing non-finite doubles as null and reading null doubles as NaN */
    public static SimpleModule module() {
        SimpleModule module = new SimpleModule("taskweave-non-finite");
        JsonSerializer<Double> writer = new JsonSerializer<>() {
            @Override
            public void serialize(Double value, JsonGenerator out, SerializerProvider provider) throws IOException {
                if (Double.isFinite(value)) {
                    out.writeNumber(value);
                } else {
                    out.writeNull();
                }
            }
        };
        JsonDeserializer<Double> reader = new JsonDeserializer<>() {
            @Override
            public Double deserialize(JsonParser in, DeserializationContext context) throws IOException {
                if (in.currentToken() == JsonToken.VALUE_STRING) {
                    return switch (in.getText()) {
                        case "NaN" -> Double.NaN;
                        case "Infinity" -> Double.POSITIVE_INFINITY;
                        case "-Infinity" -> Double.NEGATIVE_INFINITY;
                        default -> (Double) context.handleWeirdStringValue(Double.class, in.getText(), "expected a number or null");
                    };
                }
                if (!in.currentToken().isNumeric()) {
                    return (Double) context.handleUnexpectedToken(Double.class, in);
                }
                return in.getDoubleValue();
            }

            @Override
            public Double getNullValue(DeserializationContext context) {
                return Double.NaN;
            }
        };
        module.addSerializer(Double.class, writer);
        module.addSerializer(Double.TYPE, writer);
        module.addDeserializer(Double.class, reader);
        module.addDeserializer(Double.TYPE, reader);
        return module;
    }
}
