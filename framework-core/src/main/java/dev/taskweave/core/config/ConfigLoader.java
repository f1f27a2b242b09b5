package dev.taskweave.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads experiment YAML into {@link ExperimentConfig} and binds plugin parameter maps onto plugin
 * configuration classes. Unknown fields are errors; every error names the path of the value.
 */
public final class ConfigLoader {
    private final ObjectMapper yaml;

    public ConfigLoader() {
        this.yaml = strict(new ObjectMapper(new YAMLFactory()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)));
    }

    /** @return a mapper that rejects unknown fields, nulls for primitives and floats for ints */
    public static ObjectMapper strict(ObjectMapper mapper) {
        return mapper
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
                .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false)
                .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);
    }

    /** Reads an experiment file. */
    public ExperimentConfig load(Path file) {
        return parse(read(file), file.toString());
    }

    /**
     * @return a configuration file's text
     * @throws ConfigException naming the file when it is missing or cannot be read
     */
    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), "", 0, "file not found");
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "", 0, "cannot read: " + e.getMessage());
        }
    }

    /**
     * Reads a YAML file whose top level must be a mapping (a benchmark suite, a tuning file), to
     * bind with {@link #bind}.
     *
     * @param expected what the mapping holds, for the error when it is not one (for example
     *                 {@code "name, seeds and configurations"})
     * @throws ConfigException naming the file and the line when it is missing, not YAML or not a mapping
     */
    public Map<?, ?> readMapping(Path file, String expected) {
        String source = file.toString();
        Object tree;
        try {
            tree = yaml.readValue(read(file), Object.class);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new ConfigException(source, "", line, "not valid YAML: " + e.getOriginalMessage());
        }
        if (!(tree instanceof Map<?, ?> map)) {
            throw new ConfigException(source, "", 0, "expected a mapping with " + expected);
        }
        return map;
    }

    /** Parses experiment YAML; {@code source} names it in errors. */
    public ExperimentConfig parse(String text, String source) {
        if (text.isBlank()) {
            throw new ConfigException(source, "", 0, "the file is empty; expected an experiment (data, tasks, sharing, ...)");
        }
        text = substitute(text, source, System.getenv());
        try {
            ExperimentConfig config = yaml.readValue(text, ExperimentConfig.class);
            if (config == null) {
                throw new ConfigException(source, "", 0, "the file is empty; expected an experiment");
            }
            return config;
        } catch (JsonProcessingException e) {
            throw translate(e, source, "");
        }
    }

    private static final java.util.regex.Pattern VARIABLE =
            java.util.regex.Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    /**
     * Replaces {@code ${NAME}} and {@code ${NAME:-default}} with environment variables, so one
     * experiment file can point at data that lives in different places.
     */
    static String substitute(String text, String source, Map<String, String> environment) {
        StringBuilder out = new StringBuilder();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            java.util.regex.Matcher m = VARIABLE.matcher(lines[i]);
            StringBuilder line = new StringBuilder();
            while (m.find()) {
                String value = environment.get(m.group(1));
                if (value == null || value.isEmpty()) {
                    value = m.group(2);
                }
                if (value == null) {
                    throw new ConfigException(source, "", i + 1, "environment variable " + m.group(1)
                            + " is not set and ${" + m.group(1) + "} has no default (write ${" + m.group(1) + ":-value})");
                }
                m.appendReplacement(line, java.util.regex.Matcher.quoteReplacement(value));
            }
            m.appendTail(line);
            out.append(line);
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** Writes a config back as YAML (stored with trained models). */
    public String toYaml(ExperimentConfig config) {
        try {
            return yaml.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the experiment", e);
        }
    }

    /**
     * Binds a plugin's {@code params} map onto its configuration class.
     *
     * @param prefix the path of the params block, for example {@code tasks[1].params}
     */
    public <C> C bind(Object params, Class<C> type, String source, String prefix) {
        try {
            return yaml.convertValue(params == null ? java.util.Map.of() : params, type);
        } catch (IllegalArgumentException e) {
            if (e.getCause() instanceof JsonProcessingException jpe) {
                ConfigException translated = translate(jpe, source, prefix);
                translated.setStackTrace(e.getStackTrace());
                throw translated;
            }
            throw new ConfigException(source, prefix, 0, e.getMessage());
        }
    }

    /** @return the mapper used for YAML */
    public ObjectMapper mapper() {
        return yaml;
    }

    static ConfigException translate(JsonProcessingException e, String source, String prefix) {
        int line = 0;
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0 && prefix.isEmpty()) {
            line = location.getLineNr();
        }
        String path = prefix;
        String reason = e.getOriginalMessage();
        if (e instanceof JsonMappingException jme) {
            path = join(prefix, pathOf(jme.getPath()));
            if (e instanceof UnrecognizedPropertyException upe) {
                List<String> known = upe.getKnownPropertyIds() == null ? List.of()
                        : upe.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.toList());
                reason = "unknown field '" + upe.getPropertyName() + "'; expected one of " + known;
            } else if (e instanceof InvalidFormatException ife) {
                reason = "cannot read " + describe(ife.getValue()) + " as " + typeName(ife.getTargetType());
            } else if (e instanceof MismatchedInputException mie && mie.getTargetType() != null) {
                reason = "expected " + typeName(mie.getTargetType()) + " (" + firstLine(e.getOriginalMessage()) + ")";
            } else {
                reason = firstLine(e.getOriginalMessage());
            }
        } else {
            reason = "malformed YAML: " + firstLine(e.getOriginalMessage());
        }
        return new ConfigException(source, path, line, reason);
    }

    private static String describe(Object value) {
        return value instanceof String ? "'" + value + "'" : String.valueOf(value);
    }

    private static String typeName(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.stream(type.getEnumConstants()).map(c -> enumName((Enum<?>) c)).toList();
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.getName().startsWith("dev.taskweave")) {
            return "a mapping";
        }
        return type.getSimpleName();
    }

    /** @return the name a configuration writes for an enum constant: its {@code @JsonProperty}, else its name in lower case */
    private static String enumName(Enum<?> constant) {
        try {
            com.fasterxml.jackson.annotation.JsonProperty name = constant.getDeclaringClass().getField(constant.name())
                    .getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
            if (name != null && !name.value().isEmpty()) {
                return name.value();
            }
        } catch (NoSuchFieldException e) {
            // an enum constant is a field of its class
        }
        return constant.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid value";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String join(String prefix, String path) {
        if (prefix.isEmpty()) {
            return path;
        }
        if (path.isEmpty()) {
            return prefix;
        }
        return path.startsWith("[") ? prefix + path : prefix + "." + path;
    }

    static String pathOf(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
