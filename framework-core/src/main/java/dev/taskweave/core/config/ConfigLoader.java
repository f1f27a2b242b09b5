package dev.taskweave.core.config;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads experiment YAML into {@link ExperimentConfig} and binds plugin parameter maps onto plugin
 * configuration classes. Unknown fields are errors; every error names the path of the value.
 */
public final class ConfigLoader {
    private final ObjectMapper yaml;

    public ConfigLoader() {
        this.yaml = experimentRules(new ObjectMapper(new YAMLFactory()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                // a key written twice would otherwise keep its last value silently
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)));
    }

    /** @return {@code mapper} with {@link ConfigBinding#strict}'s rules, for JSON the runtime writes itself */
    public static ObjectMapper strict(ObjectMapper mapper) {
        return ConfigBinding.strict(mapper);
    }

    /**
     * What a person's YAML is held to: {@link ConfigBinding#written} (the rules plugin params are
     * bound with, which the testkit shares) and, beyond it, a section left empty ("training:" with
     * every line under it commented out) is an error naming it and its line; omitted, it keeps its
     * defaults.
     */
    private static ObjectMapper experimentRules(ObjectMapper mapper) {
        ConfigBinding.written(mapper);
        for (Class<?> section : SECTIONS) {
            mapper.configOverride(section).setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.FAIL));
        }
        return mapper;
    }

    /** The sections of an experiment that have defaults of their own: left empty, they are refused; left out, they keep them. */
    private static final List<Class<?>> SECTIONS = List.of(FeaturesConfig.class, OptimizerConfig.class, TrainingConfig.class,
            ServingConfig.class);

    /** Reads an experiment file. */
    public ExperimentConfig load(Path file) {
        return parse(read(file), file.toString());
    }

    /**
     * @return a configuration file's text
     * @throws ConfigException naming the file when it is missing or cannot be read, and the line
     *     of the first bytes that are not UTF-8 when it is not UTF-8 text
     */
    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), "", 0, "file not found");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ConfigException(file.toString(), "", 0, "permission denied");
        } catch (java.nio.charset.CharacterCodingException e) {
            // Files.readString's own message is the bad sequence's length ("Input length = 1")
            long line = dev.taskweave.api.data.TextFiles.firstUndecodableLine(file, java.nio.charset.StandardCharsets.UTF_8);
            throw new ConfigException(file.toString(), "", (int) Math.min(line, Integer.MAX_VALUE),
                    "not valid UTF-8 text (a configuration file is read as UTF-8; save it in that encoding)");
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
            throw translate(e, source, "");
        }
        if (!(tree instanceof Map<?, ?> map)) {
            throw new ConfigException(source, "", 0, "expected a mapping with " + expected);
        }
        return map;
    }

    /** Parses experiment YAML; {@code source} names it in errors. */
    public ExperimentConfig parse(String text, String source) {
        return parse(text, source, System.getenv());
    }

    /** Parses experiment YAML with {@code environment}'s variables for its {@code ${NAME}}. */
    ExperimentConfig parse(String text, String source, Map<String, String> environment) {
        if (text.isBlank()) {
            throw new ConfigException(source, "", 0, "the file is empty; expected an experiment (data, tasks, sharing, ...)");
        }
        Map<Integer, Map<String, Substituted>> substituted = new java.util.HashMap<>();
        String written = text;
        text = substitute(text, source, environment, substituted);
        try {
            ExperimentConfig config = yaml.readValue(text, ExperimentConfig.class);
            if (config == null) {
                throw new ConfigException(source, "", 0, "the file is empty; expected an experiment");
            }
            // a plugin's params are bound once the plugin is known: their errors are explained then
            config.substitutions = substituted.isEmpty() ? Substitutions.NONE : new Substitutions(written, substituted);
            return config;
        } catch (JsonProcessingException bound) {
            // values are bound as they are read: a value of the wrong shape may come before the text breaks
            JsonProcessingException e = marked(bound) == null ? java.util.Objects.requireNonNullElse(syntaxError(text), bound) : bound;
            ConfigException translated = translate(e, source, "");
            throw explain(translated, flagAsText(e), substituted.get(translated.line()));
        }
    }

    /**
     * @param flag      the flag YAML read where a string is expected, or null for another error
     * @param variables the variables replaced on the line of the refused value, or null for none
     * @return {@code translated}, told where its value came from when the line's value comes from
     *     the environment
     */
    private static ConfigException explain(ConfigException translated, Boolean flag, Map<String, Substituted> variables) {
        if (variables == null || variables.isEmpty()) {
            return translated;
        }
        Map<String, Substituted> flagWords = new java.util.LinkedHashMap<>();
        variables.forEach((name, value) -> {
            if (YAML_FLAG.matcher(value.value()).matches()) {
                flagWords.put(name, value);
            }
        });
        if (flag != null && !flagWords.isEmpty()) {
            // a plain variable's flag word is a flag to YAML (so that progressBar: ${BAR} takes off), and its
            // author cannot quote the value: the quotes go around the variable
            String names = flagWords.keySet().stream().map(n -> "\"${" + n + "}\"").collect(Collectors.joining(", "));
            ConfigException e = new ConfigException(translated.source(), translated.path(), translated.line(), "expected a string, got "
                    + flag + " from the environment (" + flagWords.entrySet().stream().map(v -> v.getValue().describe(v.getKey()))
                    .collect(Collectors.joining(", ")) + "): " + FLAG_WORDS + "; write " + names + " in double quotes for the text");
            e.setStackTrace(translated.getStackTrace());
            return e;
        }
        // a value that looked like YAML in the variable is kept as one string: say where it came from; an empty
        // one (an empty default, ${EPOCHS:-}) is written as nothing, which YAML reads as null
        boolean empty = variables.values().stream().allMatch(v -> v.value().isEmpty());
        return translated.withReason(variables.entrySet().stream()
                .map(v -> v.getValue().describe(v.getKey()))
                .collect(Collectors.joining(", ", " (the line's value comes from the environment: ", empty
                        ? "; an empty value leaves the key with nothing, which YAML reads as null)"
                        : "; a variable's value is one string, never YAML)")));
    }

    /**
     * The environment variables {@link #parse} replaced in an experiment's text, by line. A
     * plugin's {@code params} are bound to its configuration class only once the experiment is read
     * ({@link #bind(Object, Class, String, String, Substitutions)}), and checked by its
     * {@code validate()} after that: an error there about a value on a line that names a variable is
     * explained as a parse error on that line is, with the variable and its value, and a flag word
     * where text is expected asks for the variable in quotes, since the value cannot be quoted.
     */
    public static final class Substitutions {
        /** No variable: an experiment without any, one read back from a model, or one made by code. */
        public static final Substitutions NONE = new Substitutions("", Map.of());

        private final String text;
        private final Map<Integer, Map<String, Substituted>> byLine;

        Substitutions(String text, Map<Integer, Map<String, Substituted>> byLine) {
            this.text = text;
            this.byLine = Map.copyOf(byLine);
        }

        /**
         * @param e an error of the experiment's source about the value at its path, found after the
         *          text was read (a plugin's {@code validate()}, say)
         * @return {@code e}, with the variables replaced on the line where its path is written and
         *     their values when there are any
         */
        public ConfigException explain(ConfigException e) {
            return explain(e, null);
        }

        ConfigException explain(ConfigException e, Boolean flag) {
            if (byLine.isEmpty()) {
                return e;
            }
            int line = e.line() > 0 ? e.line() : ConfigLines.lineOf(text, e.path());
            return ConfigLoader.explain(e, flag, byLine.get(line));
        }
    }

    /**
     * A variable as {@link #substitute} replaced it.
     *
     * @param value   what was written in its place
     * @param defaulted {@code "unset"} or {@code "empty"} when the variable was and {@code value} is
     *                  its {@code ${NAME:-default}}, null when {@code value} is the variable's own
     */
    record Substituted(String value, String defaulted) {
        /** @return how an error names it: {@code ${N} = 'v'}, or {@code ${N} unset, default 'v'} */
        String describe(String name) {
            return "${" + name + "}" + (defaulted == null ? " = '" : " " + defaulted + ", default '") + value + "'";
        }
    }

    /**
     * @return the error of reading {@code text} as YAML alone, when it is not YAML (an unclosed
     *     bracket, say), or null: what a binding error of the same text is reported as instead,
     *     since a flow sequence left open at {@code name: [x} reads as a list before it breaks
     */
    private JsonProcessingException syntaxError(String text) {
        try {
            yaml.readTree(text);
            return null;
        } catch (JsonProcessingException e) {
            return marked(e) != null ? e : null;
        }
    }

    /** Why a flag word where text is expected is no text. */
    private static final String FLAG_WORDS = "YAML reads an unquoted yes, no, on, off, true or false as a flag";
    /** The words YAML 1.1 reads as a flag when they are not quoted. */
    private static final java.util.regex.Pattern YAML_FLAG =
            java.util.regex.Pattern.compile("yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");

    /** @return the flag YAML read where a string is expected (an unquoted {@code on} in a list of names), or null */
    private static Boolean flagAsText(JsonProcessingException e) {
        return e instanceof InvalidFormatException ife && ife.getValue() instanceof Boolean flag && ife.getTargetType() == String.class
                ? flag : null;
    }

    private static final java.util.regex.Pattern VARIABLE =
            java.util.regex.Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    /**
     * Replaces {@code ${NAME}} and {@code ${NAME:-default}} with environment variables, so one
     * experiment file can point at data that lives in different places. The default applies when
     * the variable is unset or empty, as in a shell. Comments are left alone. A value is kept whole
     * whatever it holds: escaped inside a quoted scalar, quoted when it is a plain scalar of its
     * own ({@code name: ${RUN}} with {@code RUN="run #3"}); a value that would change the YAML
     * around it in part of a plain scalar is an error asking for quotes.
     *
     * @throws ConfigException naming the line of a variable that is unset or empty without a
     *     default, a malformed {@code ${...}}, or a value that needs quotes
     */
    static String substitute(String text, String source, Map<String, String> environment) {
        return substitute(text, source, environment, new java.util.HashMap<>());
    }

    /** @param substituted receives, per line, the variables replaced on it and their values as written */
    static String substitute(String text, String source, Map<String, String> environment, Map<Integer, Map<String, Substituted>> substituted) {
        StringBuilder out = new StringBuilder(text.length());
        int line = 1;
        char quote = 0; // the quote of the scalar being read, 0 outside one
        boolean comment = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                comment = false;
            } else if (comment) {
                // copied as written
            } else if (quote == 0 && c == '#' && (i == 0 || Character.isWhitespace(text.charAt(i - 1)))) {
                comment = true;
            } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
                java.util.regex.Matcher m = VARIABLE.matcher(text).region(i, text.length());
                if (!m.lookingAt()) {
                    int close = text.indexOf('}', i);
                    int eol = text.indexOf('\n', i);
                    String written = close < 0 || eol >= 0 && eol < close ? text.substring(i, eol < 0 ? text.length() : eol) : text.substring(i, close + 1);
                    throw new ConfigException(source, "", line, "malformed " + written.strip() + ": expected ${NAME} or ${NAME:-default},"
                            + " NAME of letters, digits and '_' (not starting with a digit)");
                }
                String name = m.group(1);
                String value = environment.get(name);
                String defaulted = null;
                if (value == null || value.isEmpty()) {
                    if (m.group(2) == null) {
                        throw new ConfigException(source, "", line, "environment variable " + name + (value == null ? " is not set" : " is empty")
                                + " and ${" + name + "} has no default (write ${" + name + ":-value})");
                    }
                    defaulted = value == null ? "unset" : "empty";
                    value = m.group(2);
                }
                substituted.computeIfAbsent(line, l -> new java.util.LinkedHashMap<>()).put(name, new Substituted(value, defaulted));
                out.append(scalar(value, quote, text, i, m.end(), name, source, line));
                i = m.end() - 1;
                continue;
            } else if (quote == '"' && c == '\\' && i + 1 < text.length()) {
                out.append(c).append(text.charAt(++i));
                continue;
            } else if (quote == '\'' && c == '\'' && i + 1 < text.length() && text.charAt(i + 1) == '\'') {
                out.append(c).append(text.charAt(++i)); // '' is a quote inside single quotes
                continue;
            } else if (quote != 0 && c == quote) {
                quote = 0;
            } else if (quote == 0 && (c == '"' || c == '\'') && startsScalar(text, i)) {
                quote = c;
            }
            out.append(c);
        }
        return out.toString();
    }

    /** @return whether position {@code i} of {@code text} can start a scalar: nothing but a key's colon, a dash, a bracket or a comma before it */
    private static boolean startsScalar(String text, int i) {
        int j = i - 1;
        while (j >= 0 && (text.charAt(j) == ' ' || text.charAt(j) == '\t')) {
            j--;
        }
        // a key's colon and a list's dash are followed by a space: "run-${N}" is one plain scalar
        return j < 0 || "\n[{,".indexOf(text.charAt(j)) >= 0 || ":-?".indexOf(text.charAt(j)) >= 0 && j < i - 1;
    }

    /** @return whether a scalar ends at position {@code i} of {@code text}: at the end of the line, a comment, a comma or a bracket after it */
    private static boolean endsScalar(String text, int i) {
        int j = i;
        while (j < text.length() && (text.charAt(j) == ' ' || text.charAt(j) == '\t' || text.charAt(j) == '\r')) {
            j++;
        }
        return j == text.length() || "\n,]}".indexOf(text.charAt(j)) >= 0 || text.charAt(j) == '#' && j > i;
    }

    /** @return a variable's value as written into the YAML at {@code start..end}, inside the quote {@code quote} (0 for none) */
    private static String scalar(String value, char quote, String text, int start, int end, String name, String source, int line) {
        if (quote == '"') {
            return doubleQuoted(value);
        }
        if (quote == '\'') {
            return value.replace("'", "''");
        }
        if (value.isEmpty() || plainSafe(value)) {
            return value; // nothing at all: a key with no value (null) stays one, as ${INIT:-} was written for
        }
        if (startsScalar(text, start) && endsScalar(text, end)) {
            return '"' + doubleQuoted(value) + '"';
        }
        throw new ConfigException(source, "", line, "the value of environment variable " + name + " ('" + value + "') holds YAML"
                + " syntax and ${" + name + "} is only part of a plain value: put the whole value in double quotes");
    }

    /** @return whether {@code value} reads as itself as a plain YAML scalar, in a block or in a flow collection */
    private static boolean plainSafe(String value) {
        if (value.isEmpty() || !value.strip().equals(value) || "-?:,[]{}#&*!|>'\"%@`".indexOf(value.charAt(0)) >= 0) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\n' || c == '\r' || c == '\t' || c == '#' || c == ',' || c == '[' || c == ']' || c == '{' || c == '}'
                    || c == ':' && (i + 1 == value.length() || value.charAt(i + 1) == ' ')) {
                return false;
            }
        }
        return true;
    }

    private static String doubleQuoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r");
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
     * @return the experiment as {@link #toYaml} writes it, with each setting that is null when left
     *     out ({@code features.include}, the optimizer's {@link OptimizerConfig#SCHEDULE_SETTINGS})
     *     written at the value that stands for it, as releases before wrote every experiment: the
     *     same text for two experiments that differ only in writing such a value out, and for a run
     *     an earlier release recorded. Finished runs and checkpoints are matched by it.
     */
    public String canonicalYaml(ExperimentConfig config) {
        ExperimentConfig copy;
        try {
            copy = yaml.treeToValue(yaml.valueToTree(config), ExperimentConfig.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot copy the experiment", e);
        }
        if (copy.features != null && copy.features.include == null) {
            copy.features.include = List.of();
        }
        if (copy.optimizer != null) {
            copy.optimizer.finalLearningRate = copy.optimizer.finalLearningRate();
            copy.optimizer.decay = copy.optimizer.decay();
            copy.optimizer.decayEpochs = copy.optimizer.decayEpochs();
        }
        return toYaml(copy);
    }

    /**
     * Binds a plugin's {@code params} map onto its configuration class.
     *
     * @param prefix the path of the params block, for example {@code tasks[1].params}
     * @throws ConfigException         naming the path of the value, for a mistake in the YAML
     * @throws ConfigClassException    when {@code type} is null or cannot be created whatever the
     *     YAML says (no constructor without arguments, abstract, a constructor or setter that
     *     throws what is no validation of its input): its author's bug, which a call into a plugin
     *     reports as the plugin's failure
     */
    public <C> C bind(Object params, Class<C> type, String source, String prefix) {
        return bind(params, type, source, prefix, Substitutions.NONE);
    }

    /**
     * As {@link #bind(Object, Class, String, String)}, for params read from an experiment file:
     * an error about a value that came from an environment variable names the variable and its
     * value, as the errors of the file's other values do.
     *
     * @param substitutions the experiment's ({@link ExperimentConfig#substitutions()})
     */
    public <C> C bind(Object params, Class<C> type, String source, String prefix, Substitutions substitutions) {
        if (type == null) {
            throw new ConfigClassException(null, "its configClass() returned null", null);
        }
        try {
            return yaml.convertValue(params == null ? java.util.Map.of() : params, type);
        } catch (IllegalArgumentException e) {
            if (e.getCause() instanceof JsonProcessingException jpe) {
                if (jpe.getCause() instanceof VirtualMachineError vme && !(vme instanceof StackOverflowError)) {
                    throw vme; // the JVM's state (an OutOfMemoryError in a constructor), not the class's: passed on as it is
                }
                String definition = definitionProblem(jpe, type);
                if (definition != null) {
                    throw new ConfigClassException(type, definition, jpe);
                }
                ConfigException translated = substitutions.explain(translate(jpe, source, prefix), flagAsText(jpe));
                translated.setStackTrace(e.getStackTrace());
                throw translated;
            }
            throw new ConfigException(source, prefix, 0, e.getMessage());
        }
    }

    /**
     * @param type the class bound to
     * @return why {@code type} (or the class of one of its values) cannot be created whatever the
     *     YAML holds, or null when {@code e} is a mistake of the YAML's. A constructor's or setter's
     *     {@link IllegalArgumentException} or {@code InvalidConfigException} is a check of its input
     *     (a record's compact constructor refusing a value), the YAML's; anything else they throw is
     *     a bug of the class.
     */
    static String definitionProblem(JsonProcessingException e, Class<?> type) {
        if (!(e instanceof JsonMappingException jme)) {
            return null;
        }
        String path = pathOf(jme.getPath());
        String message = firstLine(jme.getOriginalMessage());
        if (e instanceof com.fasterxml.jackson.databind.exc.InvalidDefinitionException ide) {
            // about the class alone, never the YAML: Jackson finds no way to make it
            Class<?> failed = ide.getType() == null ? null : ide.getType().getRawClass();
            boolean itself = path.isEmpty() && (failed == null || failed == type);
            String subject = itself ? "it" : failed == null ? "the value of '" + path + "'"
                    : "the class " + failed.getName() + (path.isEmpty() ? "" : " of '" + path + "'");
            if (message.contains("abstract types")) {
                return subject + " is abstract or an interface";
            }
            if (message.contains("no Creators, like default constructor, exist")) {
                return itself ? "no constructor without arguments" : subject + " has no constructor without arguments";
            }
            if (message.contains("non-static inner classes")) {
                return subject + " is a non-static inner class (declare it static)";
            }
            return "Jackson cannot bind " + subject + ": " + ParserMessages.describe(e);
        }
        if (e instanceof MismatchedInputException mie && path.isEmpty() && mie.getTargetType() == type && noCreator(type)) {
            // the params block is a mapping, always: a class that cannot be made from one is the class's problem
            return "no constructor without arguments";
        }
        Throwable cause = jme.getCause();
        if (cause == null || cause instanceof java.io.IOException || validation(cause)) {
            return null;
        }
        String thrown = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage().replace('\n', ' '));
        if (e instanceof com.fasterxml.jackson.databind.exc.ValueInstantiationException vie) {
            Class<?> failed = vie.getType() == null ? type : vie.getType().getRawClass();
            return (failed == type && path.isEmpty() ? "its constructor" : "the constructor of " + failed.getName()
                    + (path.isEmpty() ? "" : " ('" + path + "')")) + " threw " + thrown;
        }
        if (e.getClass() == JsonMappingException.class && (cause instanceof RuntimeException || cause instanceof Error)) {
            // a setter (or the class's own deserializer) that failed
            return "setting " + (path.isEmpty() ? "it" : "'" + path + "'") + " threw " + thrown;
        }
        return null;
    }

    /**
     * @return whether Jackson has no way to make {@code type} from a mapping, read from the class
     *     itself (not from Jackson's wording): not a record, and neither a constructor without
     *     arguments nor a constructor or static method marked {@code @JsonCreator}
     */
    static boolean noCreator(Class<?> type) {
        if (type.isRecord() || type.isInterface() || java.lang.reflect.Modifier.isAbstract(type.getModifiers())) {
            return false; // a record binds by its components; abstract types are InvalidDefinitionExceptions
        }
        for (java.lang.reflect.Constructor<?> c : type.getDeclaredConstructors()) {
            if (c.getParameterCount() == 0 || c.isAnnotationPresent(com.fasterxml.jackson.annotation.JsonCreator.class)) {
                return false;
            }
        }
        for (java.lang.reflect.Method m : type.getDeclaredMethods()) {
            if (java.lang.reflect.Modifier.isStatic(m.getModifiers()) && m.isAnnotationPresent(com.fasterxml.jackson.annotation.JsonCreator.class)) {
                return false;
            }
        }
        return true;
    }

    /** @return whether a constructor's or setter's exception is a check of its input: the YAML's mistake */
    private static boolean validation(Throwable cause) {
        return cause instanceof IllegalArgumentException || cause instanceof dev.taskweave.api.InvalidConfigException
                || cause instanceof ConfigException || cause instanceof dev.taskweave.api.DataException;
    }

    /** @return the mapper used for YAML */
    public ObjectMapper mapper() {
        return yaml;
    }

    /**
     * @param path names the overrides in errors, for example {@code configurations[0].overrides}
     * @return a copy of {@code experiment} with {@code overrides} merged in ({@link #merge}), bound
     *     and checked as an experiment's fields are (errors name {@code path} and the field)
     */
    public ExperimentConfig withOverrides(ExperimentConfig experiment, java.util.Map<String, Object> overrides, String source,
            String path) {
        com.fasterxml.jackson.databind.node.ObjectNode merged = yaml.valueToTree(experiment);
        if (overrides != null) {
            merge(merged, yaml.valueToTree(overrides));
        }
        return bind(yaml.convertValue(merged, java.util.Map.class), ExperimentConfig.class, source, path);
    }

    /**
     * Merges {@code patch} into {@code target}, an experiment's tree: mappings recursively, anything
     * else replaced. A plugin component ({@code type} and {@code params}: the data, sharing or
     * weighting) that names another {@code type} (a different sharing strategy, say) replaces the
     * old one whole, since the old type's params mean nothing to the new one; other mappings with a
     * type (the optimizer's) merge field by field, keeping their learning rate when only the type
     * changes. Another {@code optimizer.schedule} drops the settings only the old schedule reads
     * ({@link #setSchedule}).
     */
    public static void merge(com.fasterxml.jackson.databind.node.ObjectNode target, com.fasterxml.jackson.databind.JsonNode patch) {
        com.fasterxml.jackson.databind.JsonNode schedule = patch.path("optimizer").get("schedule");
        if (schedule != null && target.get("optimizer") instanceof com.fasterxml.jackson.databind.node.ObjectNode optimizer) {
            setSchedule(optimizer, schedule);
        }
        mergeFields(target, patch);
    }

    /**
     * Sets the schedule of an optimizer's tree. Another schedule than its own drops the settings
     * only the old one reads ({@link OptimizerConfig#SCHEDULE_SETTINGS}: a step schedule's decay
     * means nothing to cosine), as another type drops a component's params.
     */
    public static void setSchedule(com.fasterxml.jackson.databind.node.ObjectNode optimizer, com.fasterxml.jackson.databind.JsonNode schedule) {
        String old = optimizer.path("schedule").asText(new OptimizerConfig().schedule);
        if (!schedule.isTextual() || !schedule.asText().equals(old)) {
            OptimizerConfig.SCHEDULE_SETTINGS.forEach((setting, reader) -> {
                if (reader.equals(old)) {
                    optimizer.remove(setting);
                }
            });
        }
        optimizer.set("schedule", schedule);
    }

    private static void mergeFields(com.fasterxml.jackson.databind.node.ObjectNode target, com.fasterxml.jackson.databind.JsonNode patch) {
        java.util.Iterator<java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> field = fields.next();
            com.fasterxml.jackson.databind.JsonNode existing = target.get(field.getKey());
            boolean retyped = existing != null && existing.has("params") && field.getValue().has("type")
                    && !field.getValue().get("type").equals(existing.get("type"));
            if (existing instanceof com.fasterxml.jackson.databind.node.ObjectNode object && field.getValue().isObject() && !retyped) {
                mergeFields(object, field.getValue());
            } else {
                target.set(field.getKey(), field.getValue());
            }
        }
    }

    /**
     * @return a parse or binding error of a configuration file as the experiment's are reported:
     *     the line, the path of the value, and what was wrong in the file's terms (a key given twice,
     *     SnakeYAML's problem, an unknown field and the known ones)
     */
    public static ConfigException translate(JsonProcessingException e, String source, String prefix) {
        int line = 0;
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0 && prefix.isEmpty()) {
            line = location.getLineNr();
        }
        String path = prefix;
        String reason;
        org.yaml.snakeyaml.error.MarkedYAMLException marked = marked(e);
        String malformed = malformedNumber(e);
        if (e instanceof JsonMappingException jme) {
            path = join(prefix, pathOf(jme.getPath()));
        }
        if (duplicateKey(e) != null) {
            reason = "duplicate key '" + duplicateKey(e) + "' (a key may be given once in a mapping)";
            if (!(e instanceof JsonMappingException)) {
                path = join(prefix, parsingPath(e));
            }
        } else if (marked != null && marked.getProblem() != null) {
            path = prefix; // the line says where: the value being bound when the text broke says little
            // SnakeYAML's problem ("found character '\t' that cannot start any token") and where
            // it is; its context ("while scanning for the next token") only says what it was doing
            reason = "malformed YAML: " + marked.getProblem() + (marked.getContext() == null ? "" : " (" + marked.getContext()
                    + opened(marked) + ")");
            if (marked.getProblemMark() != null && prefix.isEmpty()) {
                line = marked.getProblemMark().getLine() + 1;
            }
        } else if (e instanceof UnrecognizedPropertyException upe) {
            List<String> known = upe.getKnownPropertyIds() == null ? List.of()
                    : upe.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.toList());
            reason = "unknown field '" + upe.getPropertyName() + "'; expected one of " + known;
        } else if (e instanceof InvalidFormatException ife && ife.getValue() instanceof Number n && !Double.isFinite(n.doubleValue())) {
            reason = "expected a finite number, got " + n;
        } else if (malformed != null) {
            // YAML's own spellings of infinity and NaN (.inf, -.inf, .nan), which the parser tags as
            // numbers it then cannot read
            String value = malformed;
            // a plugin's params are read as a tree first, whose binding path ends at `params`
            String read = parsingPath(e, true);
            if (prefix.isEmpty() && read.length() > path.length()) {
                path = read;
            }
            reason = value.toLowerCase(Locale.ROOT).matches("[-+]?\\.(inf|nan)") ? "expected a finite number, got " + value
                    : "cannot read '" + value + "' as a number";
        } else if (flagAsText(e) != null) {
            reason = "expected a string, got " + flagAsText(e) + " (" + FLAG_WORDS + ": quote it, as in 'on', for the text)";
        } else if (e instanceof InvalidFormatException ife) {
            reason = "cannot read " + describe(ife.getValue()) + " as " + typeName(ife.getTargetType());
        } else if (e instanceof InvalidNullException ine) {
            reason = "expected " + (ine.getTargetType() == null ? "a value" : typeName(ine.getTargetType())) + ", got nothing (null)"
                    + (SECTIONS.contains(ine.getTargetType()) ? "; omit the key for its defaults" : "");
        } else if (e instanceof MismatchedInputException mie && mie.getTargetType() != null) {
            // Jackson's own wording names its classes and settings; what was found is enough
            reason = "expected " + typeName(mie.getTargetType()) + found(e);
        } else if (e instanceof JsonMappingException) {
            reason = ParserMessages.describe(e);
        } else {
            reason = "malformed YAML: " + ParserMessages.describe(e);
        }
        return new ConfigException(source, path, line, reason);
    }

    /** @return the text of a number the YAML parser could not read, or null for another error */
    private static String malformedNumber(JsonProcessingException e) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^Malformed numeric value '(.*)'$").matcher(firstLine(e.getOriginalMessage()));
        return m.find() ? m.group(1) : null;
    }

    /** @return the key of a duplicate-key error of the parser, or null for another error */
    private static String duplicateKey(JsonProcessingException e) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^Duplicate field '(.*)'$").matcher(firstLine(e.getOriginalMessage()));
        return m.find() ? m.group(1) : null;
    }

    /** @return the path of the mapping the parser was reading when it failed, or an empty string */
    private static String parsingPath(JsonProcessingException e) {
        return parsingPath(e, false);
    }

    /**
     * @param withValue also the innermost context: the key or index of the value being read (a
     *                  duplicate key's innermost context is the mapping that holds it)
     * @return the path the parser was reading when it failed, or an empty string
     */
    private static String parsingPath(JsonProcessingException e, boolean withValue) {
        if (!(e.getProcessor() instanceof JsonParser parser)) {
            return "";
        }
        List<String> parts = new java.util.ArrayList<>();
        com.fasterxml.jackson.core.JsonStreamContext context = parser.getParsingContext();
        for (context = context == null || withValue ? context : context.getParent(); context != null && !context.inRoot(); context = context.getParent()) {
            if (context.inArray()) {
                parts.add(0, "[" + context.getCurrentIndex() + "]");
            } else if (context.getCurrentName() != null) {
                parts.add(0, "." + context.getCurrentName());
            }
        }
        String joined = String.join("", parts);
        return joined.startsWith(".") ? joined.substring(1) : joined;
    }

    /**
     * @return where a flow collection that the text leaves open began ({@code " opened at line 1"}),
     *     when that is another line than where the parser gave up: {@code name: [x} is the mistake,
     *     the end of the file only where it is found; or nothing
     */
    private static String opened(org.yaml.snakeyaml.error.MarkedYAMLException marked) {
        if (!marked.getContext().startsWith("while parsing a flow") || marked.getContextMark() == null || marked.getProblemMark() == null
                || marked.getContextMark().getLine() == marked.getProblemMark().getLine()) {
            return "";
        }
        return " opened at line " + (marked.getContextMark().getLine() + 1);
    }

    /** @return SnakeYAML's own error with its problem and where it is, or null */
    private static org.yaml.snakeyaml.error.MarkedYAMLException marked(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException m) {
                return m;
            }
        }
        return null;
    }

    /** @return what the parser found instead of the expected value, as {@code ", got ..."}, or nothing when unknown */
    private static String found(JsonProcessingException e) {
        if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Cannot map `null`")) {
            return ", got nothing (null)";
        }
        String message = firstLine(e.getOriginalMessage());
        if (message.startsWith("No content to map")) {
            return ", got nothing (the file holds comments only)";
        }
        if (message.startsWith("Trailing token")) {
            return ", got a second YAML document (---) or text after it; an experiment file holds one";
        }
        if (message.contains(" from Array value")) {
            return ", got a list";
        }
        if (message.contains(" from Object value")) {
            return ", got a mapping";
        }
        java.util.regex.Matcher string = java.util.regex.Pattern.compile(" from String value \\('(.*)'\\)").matcher(message);
        if (string.find()) {
            return ", got '" + string.group(1) + "'";
        }
        if (!(e.getProcessor() instanceof JsonParser parser) || parser.currentToken() == null) {
            return "";
        }
        try {
            return switch (parser.currentToken()) {
                case VALUE_NULL -> ", got nothing (null)";
                case START_ARRAY -> ", got a list";
                case START_OBJECT -> ", got a mapping";
                case VALUE_STRING -> ", got '" + parser.getText() + "'";
                case VALUE_TRUE, VALUE_FALSE, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> ", got " + parser.getText();
                default -> "";
            };
        } catch (IOException | RuntimeException unreadable) {
            return "";
        }
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
