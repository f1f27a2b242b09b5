package dev.taskweave.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void defaultsAndFullMapping() {
        ExperimentConfig c = loader.parse("""
                name: x
                seed: 7
                data: {type: synthetic, params: {users: 10}}
                features: {embeddingDim: 8, idDropout: 0.1, exclude: [item_tags], idInteraction: false}
                tasks:
                  - {name: rating, head: regression, label: rating, weight: 2.0, metrics: [rmse], params: {tower: [16]}}
                sharing: {type: mmoe, params: {experts: 3}}
                weighting: {type: uncertainty}
                optimizer: {learningRate: 0.01, weightDecay: 0.001, clipGradient: 5}
                training: {batchSize: 64, epochs: 3, evalBatchSize: 128, progressBar: false,
                           earlyStopping: {metric: valid.rating.rmse, patience: 2, minDelta: 0.001}}
                """, "x.yaml");
        assertEquals("x", c.name);
        assertEquals(7, c.seed);
        assertEquals("synthetic", c.data.type);
        assertEquals(Map.of("users", 10), c.data.params);
        assertEquals(8, c.features.embeddingDim);
        assertEquals(List.of("item_tags"), c.features.exclude);
        assertEquals(2.0, c.tasks.get(0).weight);
        assertEquals(List.of(16), c.tasks.get(0).params.get("tower"));
        assertEquals("uncertainty", c.weighting.type);
        assertEquals(0.001, c.optimizer.weightDecay);
        assertEquals(64, c.training.batchSize);
        assertEquals(2, c.training.earlyStopping.patience);

        ExperimentConfig d = loader.parse("tasks: []\n", "d.yaml");
        assertEquals(42, d.seed);
        assertEquals(16, d.features.embeddingDim);
        assertEquals("fixed", d.weighting.type);
        assertEquals(0.001, d.optimizer.learningRate);
        assertEquals(256, d.training.batchSize);
        assertEquals(10, d.training.epochs);
        assertEquals(null, d.training.earlyStopping);
    }

    @Test
    void unknownFieldNamesItsPathAndTheKnownFields() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("""
                tasks:
                  - {name: a, head: regression, label: rating}
                  - {name: b, haed: binary, label: like}
                """, "exp.yaml"));
        assertTrue(e.getMessage().startsWith("exp.yaml:3: tasks[1].haed: unknown field 'haed'"), e.getMessage());
        assertTrue(e.getMessage().contains("head"), e.getMessage());
    }

    @Test
    void illTypedValueNamesPathAndExpectedType() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("""
                training:
                  batchSize: lots
                """, "exp.yaml"));
        assertEquals("training.batchSize", e.path());
        assertTrue(e.getMessage().contains("'lots'") && e.getMessage().contains("an integer"), e.getMessage());
    }

    @Test
    void malformedYamlNamesTheLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("name: x\nseed: 1: 2\n", "bad.yaml"));
        assertTrue(e.getMessage().startsWith("bad.yaml:2: "), e.getMessage());
        assertTrue(e.getMessage().contains("malformed YAML"), e.getMessage());
    }

    @Test
    void aFileThatIsNotUtf8NamesTheLineOfItsFirstBadBytes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        // a Latin-1 é in a comment on line 3; Files.readString alone says only "Input length = 1"
        java.nio.file.Path file = dir.resolve("exp.yaml");
        java.nio.file.Files.write(file, "name: x\nseed: 1\n# caf\u00e9 data\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(file));
        assertEquals(file + ":3: not valid UTF-8 text (a configuration file is read as UTF-8; save it in that encoding)",
                e.getMessage());
        // the same file for suites and tuning files
        ConfigException mapping = assertThrows(ConfigException.class, () -> loader.readMapping(file, "a suite"));
        assertEquals(e.getMessage(), mapping.getMessage());
    }

    @Test
    void emptyFileIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("  \n", "empty.yaml"));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        ConfigException comments = assertThrows(ConfigException.class, () -> loader.parse("# to do\n", "c.yaml"));
        assertTrue(comments.getMessage().endsWith("expected a mapping, got nothing (the file holds comments only)"), comments.getMessage());
        ConfigException two = assertThrows(ConfigException.class, () -> loader.parse("name: a\n---\nname: b\n", "two.yaml"));
        assertTrue(two.getMessage().endsWith("got a second YAML document (---) or text after it; an experiment file holds one"),
                two.getMessage());
    }

    @Test
    void environmentVariablesAreSubstitutedWithDefaults() {
        String text = "a: ${HOME_DIR}/x\nb: ${MISSING:-fallback}\n";
        assertEquals("a: /h/x\nb: fallback\n", ConfigLoader.substitute(text, "f", Map.of("HOME_DIR", "/h")));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.substitute("x: 1\ny: ${NOPE}\n", "f.yaml", Map.of()));
        assertTrue(e.getMessage().startsWith("f.yaml:2: "), e.getMessage());
        assertTrue(e.getMessage().contains("NOPE"), e.getMessage());
    }

    @Test
    void yamlBooleanWordsWhereTextIsExpectedAreRefusedWithAHint() {
        // YAML 1.1 reads an unquoted on, off, yes or no as a flag: a column named "on" would become "true"
        Map<String, Object> tree = Map.of("names", List.of("country", true)); // as the experiment's YAML reads [country, on]
        ConfigException e = assertThrows(ConfigException.class, () -> loader.bind(tree, Names.class, "p.yaml", "data.params"));
        assertEquals("p.yaml: data.params.names[1]: expected a string, got true (YAML reads an unquoted yes, no, on, off, true or"
                + " false as a flag: quote it, as in 'on', for the text)", e.getMessage());
        assertEquals(List.of("country", "on"), loader.bind(Map.of("names", List.of("country", "on")), Names.class, "p.yaml",
                "data.params").names);
        // in the experiment itself too
        ConfigException name = assertThrows(ConfigException.class, () -> loader.parse("name: no\n", "n.yaml"));
        assertTrue(name.getMessage().startsWith("n.yaml:1: name: expected a string, got "), name.getMessage());
        // a variable's flag word is a flag where a flag is expected; where text is, the quotes go around the variable
        assertEquals(false, loader.parse("training: {progressBar: ${BAR}}\n", "n.yaml", Map.of("BAR", "off")).training.progressBar);
        ConfigException variable = assertThrows(ConfigException.class, () -> loader.parse("seed: 1\nname: ${RUN}\n", "n.yaml",
                Map.of("RUN", "no")));
        assertEquals("n.yaml:2: name: expected a string, got false from the environment (${RUN} = 'no'): YAML reads an unquoted yes,"
                + " no, on, off, true or false as a flag; write \"${RUN}\" in double quotes for the text", variable.getMessage());
        assertEquals("no", loader.parse("name: \"${RUN}\"\n", "n.yaml", Map.of("RUN", "no")).name);
        // other refusals of a line with a variable keep their own wording (and are no internal error)
        ConfigException list = assertThrows(ConfigException.class, () -> loader.parse("name: [${RUN}]\n", "n.yaml", Map.of("RUN", "x")));
        assertTrue(list.getMessage().startsWith("n.yaml:1: name: expected a string, got a list"), list.getMessage());
        ConfigException other = assertThrows(ConfigException.class, () -> loader.parse("name: on\nseed: ${S}\n", "n.yaml",
                Map.of("S", "7")));
        assertTrue(other.getMessage().contains("quote it, as in 'on'"), "a variable on another line is not blamed: " + other.getMessage());
        assertEquals("run-no", loader.parse("name: run-${RUN}\n", "n.yaml", Map.of("RUN", "no")).name);
    }

    public static final class Names {
        public List<String> names;
    }

    /** A plugin's params with text, a list of text and a number; a file is required, as data-files' is. */
    public static final class Source implements dev.taskweave.api.ValidatedConfig {
        public String file;
        public List<String> names = List.of();
        public double holdout = 0.1;

        @Override
        public void validate() {
            if (file == null) {
                throw new dev.taskweave.api.InvalidConfigException("file", "required: the path of the file");
            }
        }
    }

    private Source bindData(ExperimentConfig config) {
        return loader.bind(config.data.params, Source.class, "p.yaml", "data.params", config.substitutions());
    }

    @Test
    void aVariableInAPluginsParamsIsReplacedAsAnywhereElse() {
        // plain, in a flow mapping or a block; a value with YAML syntax in it is kept whole, quoted where it stands alone
        for (String text : List.of("data: {type: files, params: {file: ${DATA}, names: [country, ${COL}]}}\n",
                "data:\n  type: files\n  params:\n    file: ${DATA}\n    names:\n      - country\n      - ${COL}\n")) {
            for (String value : List.of("/data/events.csv", "/my data, v2: {final}.csv")) {
                ExperimentConfig config = loader.parse(text, "p.yaml", Map.of("DATA", value, "COL", "plan"));
                Source bound = bindData(config);
                assertEquals(value, bound.file, text);
                assertEquals(List.of("country", "plan"), bound.names, text);
            }
        }
        assertEquals("run-on.csv", bindData(loader.parse("data: {type: files, params: {file: run-${R}.csv}}\n", "p.yaml",
                Map.of("R", "on"))).file);
        // a flag word is a flag, in params too (a plugin's own flags take one from a variable); the text needs the variable quoted
        assertEquals(true, loader.parse("data: {type: files, params: {header: ${H}}}\n", "p.yaml", Map.of("H", "on")).data.params
                .get("header"));
        assertEquals("on", bindData(loader.parse("data: {type: files, params: {file: \"${F}\"}}\n", "p.yaml", Map.of("F", "on"))).file);
    }

    @Test
    void aVariablesValueThatAPluginsParamsRefuseIsExplainedAsAnywhereElse() {
        // the refusal names the variable and tells what to write, as for the experiment's own values (name: ${RUN}), in
        // place of "quote it", which its value cannot be
        ConfigException flag = assertThrows(ConfigException.class, () -> bindData(loader.parse(
                "seed: 1\ndata: {type: files, params: {file: ${EVENTS}}}\n", "p.yaml", Map.of("EVENTS", "on"))));
        assertEquals("p.yaml: data.params.file: expected a string, got true from the environment (${EVENTS} = 'on'): YAML reads an"
                + " unquoted yes, no, on, off, true or false as a flag; write \"${EVENTS}\" in double quotes for the text", flag.getMessage());
        ConfigException inList = assertThrows(ConfigException.class, () -> bindData(loader.parse("""
                data:
                  type: files
                  params:
                    file: x.csv
                    names:
                      - country
                      - ${COL}
                """, "p.yaml", Map.of("COL", "no"))));
        assertEquals("p.yaml: data.params.names[1]: expected a string, got false from the environment (${COL} = 'no'): YAML reads an"
                + " unquoted yes, no, on, off, true or false as a flag; write \"${COL}\" in double quotes for the text", inList.getMessage());
        // a value of the wrong shape: one string, never YAML
        ConfigException list = assertThrows(ConfigException.class, () -> bindData(loader.parse(
                "data: {type: files, params: {file: x.csv, names: ${NAMES}}}\n", "p.yaml", Map.of("NAMES", "[country, plan]"))));
        assertEquals("p.yaml: data.params.names: expected a list, got '[country, plan]' (the line's value comes from the environment:"
                + " ${NAMES} = '[country, plan]'; a variable's value is one string, never YAML)", list.getMessage());
        ConfigException number = assertThrows(ConfigException.class, () -> bindData(loader.parse(
                "data:\n  type: files\n  params:\n    file: x.csv\n    holdout: ${H:-lots}\n", "p.yaml", Map.of())));
        assertEquals("p.yaml: data.params.holdout: cannot read 'lots' as a number (the line's value comes from the environment: ${H}"
                + " unset, default 'lots'; a variable's value is one string, never YAML)", number.getMessage());
        // a word on another line than the variable's is not blamed on it, and quoting it is the fix
        ConfigException other = assertThrows(ConfigException.class, () -> bindData(loader.parse("""
                data:
                  type: files
                  params:
                    file: ${EVENTS}
                    names: [country, on]
                """, "p.yaml", Map.of("EVENTS", "x.csv"))));
        assertEquals("p.yaml: data.params.names[1]: expected a string, got true (YAML reads an unquoted yes, no, on, off, true or false"
                + " as a flag: quote it, as in 'on', for the text)", other.getMessage());
    }

    @Test
    void aPluginsCheckOfAValueAVariableGaveNamesTheVariable() {
        // the runtime binds a plugin's params and runs its validate() once the plugin is known, after the file was read
        dev.taskweave.api.ExtensionFactory<Object> files = new dev.taskweave.api.ExtensionFactory<>() {
            @Override
            public String type() {
                return "files";
            }

            @Override
            @SuppressWarnings({"unchecked", "rawtypes"})
            public Class<Object> configClass() {
                return (Class) Source.class;
            }
        };
        dev.taskweave.core.plugin.ExtensionRegistry.Builder registry = dev.taskweave.core.plugin.ExtensionRegistry.builder();
        for (dev.taskweave.core.plugin.ExtensionKind kind : dev.taskweave.core.plugin.ExtensionKind.values()) {
            registry.add(kind, new dev.taskweave.core.plugin.Registered<>("files", files, "test", "1.0.0", getClass().getClassLoader()), "test");
        }
        dev.taskweave.core.run.ModelAssembler assembler = new dev.taskweave.core.run.ModelAssembler(registry.build(),
                new dev.taskweave.core.metric.MetricRegistry(List.of()), loader);
        String text = """
                data:
                  type: files
                  params:
                    file: ${EVENTS:-}
                tasks: [{name: rating, head: files, label: rating, params: {file: x.csv}}]
                sharing: {type: files, params: {file: x.csv, names: [a, ${COL}]}}
                weighting: {type: files, params: {file: x.csv}}
                """;
        ConfigException empty = assertThrows(ConfigException.class, () -> assembler.plan(loader.parse(text, "p.yaml",
                Map.of("COL", "b")), "p.yaml"));
        assertEquals("p.yaml: data.params.file: required: the path of the file (the line's value comes from the environment: ${EVENTS}"
                + " unset, default ''; an empty value leaves the key with nothing, which YAML reads as null)", empty.getMessage());
        ConfigException flag = assertThrows(ConfigException.class, () -> assembler.plan(loader.parse(text, "p.yaml",
                Map.of("EVENTS", "x.csv", "COL", "off")), "p.yaml"));
        assertEquals("p.yaml: sharing.params.names[1]: expected a string, got false from the environment (${COL} = 'off'): YAML reads"
                + " an unquoted yes, no, on, off, true or false as a flag; write \"${COL}\" in double quotes for the text", flag.getMessage());
        assembler.plan(loader.parse(text, "p.yaml", Map.of("EVENTS", "x.csv", "COL", "b")), "p.yaml");
    }

    @Test
    void bindReportsPathsUnderThePrefix() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> loader.bind(Map.of("experts", "four"), Params.class, "exp.yaml", "sharing.params"));
        assertEquals("sharing.params.experts", e.path());
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> loader.bind(Map.of("expert", 4), Params.class, "exp.yaml", "sharing.params"));
        assertEquals("sharing.params.expert", unknown.path());
        assertEquals(4, loader.bind(Map.of("experts", 4), Params.class, "exp.yaml", "sharing.params").experts);
    }

    public static final class Params {
        public int experts = 2;
    }

    @Test
    void aKeyGivenTwiceIsAnErrorNamingItsLineAndPath() {
        ConfigException seed = assertThrows(ConfigException.class, () -> loader.parse("name: x\nseed: 42\ntasks: []\nseed: 7\n", "d.yaml"));
        assertEquals("d.yaml:4: duplicate key 'seed' (a key may be given once in a mapping)", seed.getMessage());
        ConfigException block = assertThrows(ConfigException.class, () -> loader.parse("""
                training:
                  epochs: 3
                optimizer: {learningRate: 0.01}
                training:
                  batchSize: 8
                """, "d.yaml"));
        assertEquals("d.yaml:4: duplicate key 'training' (a key may be given once in a mapping)", block.getMessage());
        ConfigException nested = assertThrows(ConfigException.class, () -> loader.parse("""
                tasks:
                  - name: a
                    head: binary
                    head: regression
                """, "d.yaml"));
        assertEquals("d.yaml:4: tasks[0]: duplicate key 'head' (a key may be given once in a mapping)", nested.getMessage());
        ConfigException deeper = assertThrows(ConfigException.class, () -> loader.parse("""
                training:
                  earlyStopping:
                    metric: valid.a.auc
                    metric: valid.a.auc
                """, "d.yaml"));
        assertEquals("d.yaml:4: training.earlyStopping: duplicate key 'metric' (a key may be given once in a mapping)", deeper.getMessage());
    }

    @Test
    void numbersMustBeFinite() {
        // YAML's own spellings too (.inf, .nan), which the parser tags as numbers it cannot read
        for (String value : new String[] {"Infinity", "NaN", "-Infinity", "'NaN'", ".inf", "-.inf", ".nan", ".NaN", "+.Inf"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("optimizer:\n  weightDecay: " + value + "\n", "n.yaml"));
            assertEquals("optimizer.weightDecay", e.path(), e.getMessage());
            assertTrue(e.getMessage().startsWith("n.yaml:2: optimizer.weightDecay: expected a finite number, got "), e.getMessage());
        }
        ConfigException map = assertThrows(ConfigException.class, () -> loader.parse("features: {dropout: {item_tags: NaN}}\n", "n.yaml"));
        assertEquals("n.yaml:1: features.dropout.item_tags: expected a finite number, got NaN", map.getMessage());
        ConfigException yamlInfinity = assertThrows(ConfigException.class, () -> loader.parse("optimizer:\n  learningRate: .inf\n", "n.yaml"));
        assertEquals("n.yaml:2: optimizer.learningRate: expected a finite number, got .inf", yamlInfinity.getMessage());
        ConfigException inParams = assertThrows(ConfigException.class,
                () -> loader.parse("sharing:\n  type: mmoe\n  params: {experts: 4, dropout: .nan}\n", "n.yaml"));
        assertEquals("n.yaml:3: sharing.params.dropout: expected a finite number, got .nan", inParams.getMessage());
        // plugin params are bound by the same rules
        ConfigException bound = assertThrows(ConfigException.class,
                () -> loader.bind(Map.of("rate", "Infinity"), Rate.class, "n.yaml", "tasks[0].params"));
        assertEquals("n.yaml: tasks[0].params.rate: expected a finite number, got Infinity", bound.getMessage());
        assertEquals(0.5, loader.bind(Map.of("rate", 0.5), Rate.class, "n.yaml", "p").rate);
        assertEquals(1e-3, loader.parse("optimizer: {learningRate: 1e-3}\n", "n.yaml").optimizer.learningRate);
    }

    @Test
    void anEmptyListOrMappingNamesItsPath() {
        ConfigException include = assertThrows(ConfigException.class, () -> loader.parse("features:\n  include:\n", "t.yaml"));
        assertEquals("t.yaml:2: features.include: expected a list, got nothing (null)", include.getMessage());
        ConfigException dropout = assertThrows(ConfigException.class, () -> loader.parse("features:\n  dropout:\n", "t.yaml"));
        assertEquals("t.yaml:2: features.dropout: expected a mapping, got nothing (null)", dropout.getMessage());
        ConfigException element = assertThrows(ConfigException.class,
                () -> loader.parse("tasks:\n  - {name: a, metrics: [auc, null]}\n", "t.yaml"));
        assertEquals("tasks[0].metrics[1]", element.path(), element.getMessage());
        assertTrue(element.getMessage().endsWith("tasks[0].metrics[1]: expected a string, got nothing (null)"), element.getMessage());
        ConfigException metrics = assertThrows(ConfigException.class, () -> loader.parse("tasks:\n  - name: a\n    metrics:\n", "t.yaml"));
        assertEquals("tasks[0].metrics", metrics.path(), metrics.getMessage());
        // params left empty are no params; a section left out keeps its default
        ExperimentConfig c = loader.parse("data: {type: synthetic, params:}\ntasks:\n  - name: a\n    params:\n", "t.yaml");
        assertEquals(Map.of(), c.data.params);
        assertEquals(Map.of(), c.tasks.get(0).params);
        assertEquals(null, loader.parse("training: {earlyStopping: }\n", "t.yaml").training.earlyStopping);
    }

    @Test
    void aSectionLeftEmptyIsAnErrorAtItsLine() {
        // every line under it commented out: the commands would otherwise meet a null section
        for (String section : List.of("features", "optimizer", "training", "serving")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> loader.parse("seed: 1\n" + section + ":\n#  epochs: 3\nname: x\n", "t.yaml"), section);
            assertEquals("t.yaml:2: " + section + ": expected a mapping, got nothing (null); omit the key for its defaults",
                    e.getMessage());
        }
        // a teacher's fields are bound by the same rules, and named by the teacher's path
        ExperimentConfig experiment = loader.parse("training: {epochs: 3}\n", "t.yaml");
        java.util.Map<String, Object> teacher = new java.util.HashMap<>();
        teacher.put("training", null);
        ConfigException e = assertThrows(ConfigException.class,
                () -> loader.withOverrides(experiment, teacher, "t.yaml", "training.distillation.teacher"));
        assertEquals("training.distillation.teacher.training", e.path(), e.getMessage());
        // left out, a section keeps its defaults
        ExperimentConfig omitted = loader.parse("seed: 1\n", "t.yaml");
        assertEquals(10, omitted.training.epochs);
        assertEquals("constant", omitted.optimizer.schedule);
    }

    @Test
    void typeErrorsSayWhatWasFoundWithoutJacksonsInternals() {
        ConfigException nul = assertThrows(ConfigException.class, () -> loader.parse("optimizer:\n  learningRate:\n", "t.yaml"));
        assertEquals("t.yaml:2: optimizer.learningRate: expected a number, got nothing (null)", nul.getMessage());
        ConfigException list = assertThrows(ConfigException.class, () -> loader.parse("training:\n  epochs: [1, 2]\n", "t.yaml"));
        assertEquals("t.yaml:2: training.epochs: expected an integer, got a list", list.getMessage());
        ConfigException string = assertThrows(ConfigException.class, () -> loader.parse("features: {include: rating}\n", "t.yaml"));
        assertEquals("t.yaml:1: features.include: expected a list, got 'rating'", string.getMessage());
        // a number is no flag (Jackson read any non-zero one as true); a quoted value, as ${VAR} writes one, still reads
        ConfigException flag = assertThrows(ConfigException.class, () -> loader.parse("training:\n  telemetry: 7\n", "t.yaml"));
        assertTrue(flag.getMessage().startsWith("t.yaml:2: training.telemetry: "), flag.getMessage());
        assertFalse(loader.parse("training:\n  telemetry: \"false\"\n  epochs: \"3\"\n", "t.yaml").training.telemetry);
        assertEquals(3, loader.parse("training:\n  epochs: \"3\"\n", "t.yaml").training.epochs);
    }

    @Test
    void malformedYamlSaysTheProblemOnItsLine() {
        ConfigException tab = assertThrows(ConfigException.class,
                () -> loader.parse("name: x\ntraining:\n  epochs: 2\n\tbatchSize: 8\n", "tab.yaml"));
        assertEquals("tab.yaml:4: malformed YAML: found character '\\t(TAB)' that cannot start any token. (Do not use \\t(TAB) for"
                + " indentation) (while scanning for the next token)",
                tab.getMessage());
        ConfigException indent = assertThrows(ConfigException.class,
                () -> loader.parse("tasks:\n  - name: a\n    head: binary\n   label: x\n", "indent.yaml"));
        assertTrue(indent.getMessage().startsWith("indent.yaml:4: malformed YAML: expected <block end>, but found"), indent.getMessage());
        assertTrue(indent.getMessage().endsWith("(while parsing a block collection)"), indent.getMessage());
    }

    /** The binder reads values as the parser gives them: a bracket left open was reported as the list it began. */
    @Test
    void anUnclosedBracketIsMalformedYamlNotAValueOfTheWrongShape() {
        ConfigException name = assertThrows(ConfigException.class, () -> loader.parse("name: [x\nseed: 3\n", "e42.yaml"));
        assertEquals("e42.yaml:2: malformed YAML: expected ',' or ']', but got : (while parsing a flow sequence opened at line 1)",
                name.getMessage());
        ConfigException metrics = assertThrows(ConfigException.class, () -> loader.parse("""
                tasks:
                  - {name: a, head: binary, label: x}
                  - {name: b, head: binary, label: y}
                  - name: c
                    metrics: [auc,
                    params: {tower: [8]}
                """, "m.yaml"));
        assertEquals("m.yaml:7: malformed YAML: expected ',' or ']', but got <stream end> (while parsing a flow sequence opened at"
                + " line 5)", metrics.getMessage());
        ConfigException mapping = assertThrows(ConfigException.class, () -> loader.parse("sharing: {type: mmoe\nseed: 3\n", "s.yaml"));
        assertTrue(mapping.getMessage().startsWith("s.yaml:2: malformed YAML: "), mapping.getMessage());
        assertTrue(mapping.getMessage().endsWith("(while parsing a flow mapping opened at line 1)"), mapping.getMessage());
        // valid YAML of the wrong shape keeps its message
        ConfigException list = assertThrows(ConfigException.class, () -> loader.parse("name: [x]\nseed: 3\n", "e.yaml"));
        assertEquals("e.yaml:1: name: expected a string, got a list", list.getMessage());
    }

    /** An empty default writes nothing, YAML's null: the error says the variable was unset and which default it took. */
    @Test
    void aNullFromAnEmptyDefaultSaysSo() {
        ConfigException unset = assertThrows(ConfigException.class, () -> loader.parse("training:\n  epochs: ${EPOCHS:-}\n", "t.yaml",
                Map.of()));
        assertEquals("t.yaml:2: training.epochs: expected an integer, got nothing (null) (the line's value comes from the environment:"
                + " ${EPOCHS} unset, default ''; an empty value leaves the key with nothing, which YAML reads as null)", unset.getMessage());
        ConfigException empty = assertThrows(ConfigException.class, () -> loader.parse("training:\n  epochs: ${EPOCHS:-x}\n", "t.yaml",
                Map.of("EPOCHS", "")));
        assertTrue(empty.getMessage().endsWith("(the line's value comes from the environment: ${EPOCHS} empty, default 'x'; a variable's"
                + " value is one string, never YAML)"), empty.getMessage());
        // the name is bound as null here; check and train refuse it (ModelAssembler), a stored model's keeps loading
        assertEquals(null, loader.parse("name: ~\n", "n.yaml").name);
    }

    @Test
    void anEnumValueOutsideItsChoicesListsThemByTheirYamlNames() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> loader.bind(Map.of("by", "tme"), Split.class, "s.yaml", "data.params.split"));
        assertEquals("s.yaml: data.params.split.by: cannot read 'tme' as one of [random, time, files, last-item]", e.getMessage());
    }

    @Test
    void substitutionLeavesCommentsAndKeepsValuesWhole() {
        Map<String, String> env = Map.of("RUN", "run #3", "DIR", "/data/ml", "EMPTY", "", "Q", "say \"hi\"", "LIST", "a, b");
        assertEquals("name: x # set ${UNSET} for more\n", ConfigLoader.substitute("name: x # set ${UNSET} for more\n", "f", env));
        assertEquals("# ${UNSET}\nname: x\n", ConfigLoader.substitute("# ${UNSET}\nname: x\n", "f", env));
        assertEquals("name: \"run #3\"\n", ConfigLoader.substitute("name: ${RUN}\n", "f", env));
        assertEquals("run #3", loader.parse(ConfigLoader.substitute("name: ${RUN}\n", "f", env), "f").name);
        assertEquals("p: {dir: /data/ml/u1, tags: \"a, b\"}\n", ConfigLoader.substitute("p: {dir: ${DIR}/u1, tags: ${LIST}}\n", "f", env));
        assertEquals("name: \"say \\\"hi\\\" #x\"\n", ConfigLoader.substitute("name: \"${Q} #x\"\n", "f", env));
        assertEquals("say \"hi\" #x", loader.parse(ConfigLoader.substitute("name: \"${Q} #x\"\n", "f", env), "f").name);
        assertEquals("name: 'it''s run #3'\n", ConfigLoader.substitute("name: 'it''s ${RUN}'\n", "f", Map.of("RUN", "run #3")));
        assertEquals("name: 'it''s'\n", ConfigLoader.substitute("name: '${Q}'\n", "f", Map.of("Q", "it's")));
        assertEquals("name: fallback\n", ConfigLoader.substitute("name: ${EMPTY:-fallback}\n", "f", env));
        // an empty default writes nothing: the key has no value (null), as it had before values were quoted
        assertEquals("name: \n", ConfigLoader.substitute("name: ${INIT:-}\n", "f", env));
        assertEquals(null, loader.parse(ConfigLoader.substitute("name: ${INIT:-}\n", "f", env), "f").name);

        ConfigException empty = assertThrows(ConfigException.class, () -> ConfigLoader.substitute("a: 1\nname: ${EMPTY}\n", "f.yaml", env));
        assertEquals("f.yaml:2: environment variable EMPTY is empty and ${EMPTY} has no default (write ${EMPTY:-value})", empty.getMessage());
        ConfigException dash = assertThrows(ConfigException.class, () -> ConfigLoader.substitute("name: ${TW-NAME}\n", "f.yaml", env));
        assertEquals("f.yaml:1: malformed ${TW-NAME}: expected ${NAME} or ${NAME:-default}, NAME of letters, digits and '_'"
                + " (not starting with a digit)", dash.getMessage());
        ConfigException open = assertThrows(ConfigException.class, () -> ConfigLoader.substitute("a: 1\nname: ${TW_NAME\n", "f.yaml", env));
        assertEquals("f.yaml:2: malformed ${TW_NAME: expected ${NAME} or ${NAME:-default}, NAME of letters, digits and '_'"
                + " (not starting with a digit)", open.getMessage());
        // a variable holding YAML is kept as one string: an error on its line says where the value came from
        ConfigException list = assertThrows(ConfigException.class, () -> loader.parse(
                "name: x\ntasks:\n  - name: like\n    metrics: ${M}\n", "f.yaml", Map.of("M", "[auc, logloss]")));
        assertTrue(list.getMessage().startsWith("f.yaml:4: tasks[0].metrics: expected a list"), list.getMessage());
        assertTrue(list.getMessage().endsWith(" (the line's value comes from the environment: ${M} = '[auc, logloss]'; a variable's"
                + " value is one string, never YAML)"), list.getMessage());
        ConfigException elsewhere = assertThrows(ConfigException.class, () -> loader.parse(
                "name: ${N}\ntasks:\n  - name: like\n    metrics: auc\n", "f.yaml", Map.of("N", "x")));
        assertFalse(elsewhere.getMessage().contains("environment"), elsewhere.getMessage());
        ConfigException part = assertThrows(ConfigException.class, () -> ConfigLoader.substitute("name: my-${RUN}\n", "f.yaml", env));
        assertEquals("f.yaml:1: the value of environment variable RUN ('run #3') holds YAML syntax and ${RUN} is only part of a"
                + " plain value: put the whole value in double quotes", part.getMessage());
    }

    @Test
    void aLeftOutIncludeIsToldFromAnEmptyOneAndWrittenAsReleasesBeforeWroteIt() {
        ExperimentConfig omitted = loader.parse("features: {embeddingDim: 16}\n", "t.yaml");
        ExperimentConfig empty = loader.parse("features: {include: []}\n", "t.yaml");
        assertEquals(null, omitted.features.include);
        assertEquals(List.of(), empty.features.include);
        // left out, it stays out of the stored experiment (which may be trained again), and reads back left out
        assertFalse(loader.toYaml(omitted).contains("include"), loader.toYaml(omitted));
        assertEquals(null, loader.parse(loader.toYaml(omitted), "t.yaml").features.include);
        // an earlier release wrote include: [] for every feature: its runs are this release's left-out include
        assertTrue(loader.canonicalYaml(omitted).contains("include: []"), loader.canonicalYaml(omitted));
        assertEquals(loader.canonicalYaml(omitted), loader.canonicalYaml(empty));
        assertEquals(null, omitted.features.include, "the experiment itself is not changed");
    }

    @Test
    void theOptimizersScheduleSettingsLeftOutAreToldFromSetOnesAndWrittenAsReleasesBeforeWroteThem() {
        ExperimentConfig omitted = loader.parse("optimizer: {learningRate: 0.01}\n", "t.yaml");
        ExperimentConfig written = loader.parse("optimizer: {learningRate: 0.01, finalLearningRate: 0.0, decay: 0.5, decayEpochs: 1}\n",
                "t.yaml");
        assertEquals(null, omitted.optimizer.decay);
        assertEquals(0.5, omitted.optimizer.decay());
        assertEquals(1, omitted.optimizer.decayEpochs());
        assertEquals(0.0, omitted.optimizer.finalLearningRate());
        assertEquals(0.5, written.optimizer.decay);
        assertFalse(loader.toYaml(omitted).contains("decay:"), loader.toYaml(omitted));
        assertEquals(null, loader.parse(loader.toYaml(omitted), "t.yaml").optimizer.decay);
        assertTrue(loader.canonicalYaml(omitted).contains("  decay: 0.5\n  decayEpochs: 1\n"), loader.canonicalYaml(omitted));
        assertEquals(loader.canonicalYaml(omitted), loader.canonicalYaml(written));
        // written without a value, it is an error, as a number left empty is
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("optimizer:\n  decay:\n", "t.yaml"));
        assertEquals("t.yaml:2: optimizer.decay: expected a number, got nothing (null)", e.getMessage());
    }

    public static final class Rate {
        public double rate = 1;
    }

    public static final class Split {
        public By by = By.RANDOM;
    }

    public enum By {
        RANDOM, TIME, FILES, @com.fasterxml.jackson.annotation.JsonProperty("last-item") LAST
    }
}
