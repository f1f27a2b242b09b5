package dev.taskweave.core.store;

import static java.util.Objects.requireNonNull;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.inject.Inject;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.model.LabelStatistics;
import dev.taskweave.api.model.StatefulWeighting;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.data.ItemNeighbours;
import dev.taskweave.core.run.AssembledModel;
import dev.taskweave.core.run.LabelInfo;
import dev.taskweave.core.run.ModelAssembler;
import dev.taskweave.core.run.Plan;
import dev.taskweave.core.run.ResolvedTask;
import dev.taskweave.core.run.TrainingResult;
import dev.taskweave.core.plugin.Registered;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Saves trained models atomically and loads them back into an identical graph. */
public final class ModelStore {
    public static final String MANIFEST = "model.json";
    public static final String EXPERIMENT = "experiment.yaml";
    public static final String PARAMETERS = "parameters.bin";
    public static final String ENTITIES = "entities.bin";
    public static final String METRICS = "metrics.json";
    public static final String HISTORY = "history.json";
    /** The loss weighting's state, present only for a {@link StatefulWeighting}. */
    public static final String WEIGHTING_STATE = "weighting.bin";
    /** Each user's training items (absent in models saved before it existed). */
    public static final String SEEN = "seen.bin";
    /** The neighbourhood scores of a model with {@code features.neighbours} ({@link ItemNeighbours}). */
    public static final String NEIGHBOURS = "neighbours.bin";
    /**
     * The length and CRC-32C of {@code model.json}'s bytes, as JSON ({@code {"bytes": n, "crc32c":
     * "..."}}), written beside it last: {@code model.json} records every other file's checksum and
     * this file records its. Absent in models written before it existed, whose {@code model.json}
     * is read unchecked.
     */
    public static final String MANIFEST_CHECKSUM = "model.json.crc32c";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelStore.class);

    private final ConfigLoader loader;
    private final ModelAssembler assembler;
    private final ObjectMapper json;
    /** For metrics and training curves: NaN as null ({@link NonFiniteJson}). */
    private final ObjectMapper figures;

    @Inject
    public ModelStore(ConfigLoader loader, ModelAssembler assembler) {
        this.loader = requireNonNull(loader, "loader is null");
        this.assembler = requireNonNull(assembler, "assembler is null");
        this.json = ConfigLoader.strict(new ObjectMapper()).enable(SerializationFeature.INDENT_OUTPUT);
        this.figures = ConfigLoader.strict(new ObjectMapper()).registerModule(NonFiniteJson.module())
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** @return the JSON mapper used for model files */
    public ObjectMapper json() {
        return json;
    }

    /**
     * What marks a model directory, which a new model may replace: a {@code model.json} that is a
     * JSON object naming the Taskweave version and the tasks (every release's manifest has both),
     * not any file of that name (a TensorFlow.js model has one).
     */
    static final AtomicDirectory.Marker MARKER = new AtomicDirectory.Marker(MANIFEST, ModelStore::isManifest);

    private static boolean isManifest(Path file) {
        try {
            com.fasterxml.jackson.databind.JsonNode node = new ObjectMapper().readTree(file.toFile());
            return node != null && node.isObject() && node.hasNonNull("taskweaveVersion") && node.has("tasks");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Checks, before anything is trained, that a model can be written to {@code dir}: it is
     * missing, empty or a model directory (which the new model replaces), and the nearest
     * existing directory above it can be written to; when it is missing, the content the write
     * puts back first (a replacement of it that was interrupted left it aside as
     * {@code .X.old-*}) must be empty or a model directory too, as the write then finds it.
     *
     * @param option what named {@code dir} ({@code --output}), named in the errors
     * @throws ConfigException naming {@code dir} and what is wrong with it
     */
    public static void checkWritable(Path dir, String option) {
        Path absolute = AtomicDirectory.resolve(dir);
        if (Files.isRegularFile(absolute) || Files.exists(absolute) && !Files.isDirectory(absolute)) {
            throw new ConfigException(null, option, 0, dir + " is a file; expected a model directory to write");
        }
        if (Files.isDirectory(absolute)) {
            String refused;
            try {
                refused = MARKER.refusal(absolute);
            } catch (IOException e) {
                throw new ConfigException(null, option, 0, "cannot read the directory " + dir + ": " + e.getMessage());
            }
            if (refused != null) {
                throw new ConfigException(null, option, 0, dir + " is a directory of other files, not a Taskweave model (" + refused
                        + "); writing the model there would delete them: name a new directory");
            }
            String fixed = AtomicDirectory.unrenamable(absolute);
            if (fixed != null) {
                throw new ConfigException(null, option, 0, dir + " " + fixed);
            }
            AtomicDirectory.requireWritableDirectory(absolute.getParent(), dir, option);
        } else {
            checkPrevious(dir, absolute, option);
            AtomicDirectory.requireWritableDirectory(AtomicDirectory.nearestExisting(absolute.getParent()), dir, option);
        }
        if (absolute.getParent() != null && Files.isDirectory(absolute.getParent())) {
            String refused = AtomicDirectory.probeLock(absolute);
            if (refused != null) {
                throw new ConfigException(null, option, 0, "cannot write " + dir + ": its lock file "
                        + AtomicDirectory.lockFile(absolute) + " cannot be locked (" + refused + "); the model is written under that"
                        + " lock, so that two writers never meet (on a network file system, its lock service must run)");
            }
        }
    }

    /**
     * Checks what writing a missing {@code dir} first puts back: the content it had before a
     * replacement that was interrupted ({@link AtomicDirectory#previous}), which the model then
     * replaces, and so must be a model directory or empty as {@code dir} itself must be.
     */
    private static void checkPrevious(Path dir, Path absolute, String option) {
        Path previous = AtomicDirectory.previous(absolute);
        if (previous == null) {
            return;
        }
        String refused = null;
        if (!Files.isDirectory(previous)) {
            refused = "is not a directory";
        } else {
            try {
                String why = MARKER.refusal(previous);
                if (why != null) {
                    refused = "is a directory of other files, not a Taskweave model (" + why + ")";
                }
            } catch (IOException e) {
                refused = "cannot be read: " + e.getMessage();
            }
        }
        if (refused != null) {
            throw new ConfigException(null, option, 0, dir + " does not exist, and writing it first puts back " + previous
                    + " (its content before a replacement that was interrupted), which " + refused + ", so that the model could "
                    + "not be written there: remove " + previous.getFileName() + " or name another directory");
        }
    }

    /**
     * Writes a trained model and its results to {@code dir}, replacing what was there atomically.
     * A directory that is not empty and not a model is refused ({@link #checkWritable}).
     *
     * @param neighbours the neighbourhood scores the model's pair features read, by feature name;
     *                   empty for a model without one
     * @throws IllegalArgumentException if the model reads a pair feature without scores
     */
    public void save(Path dir, AssembledModel model, Dataset dataset, Map<String, ItemNeighbours> neighbours, String fingerprint,
            Path configFile, Path baseDirectory, TrainingResult result) {
        Map<String, ItemNeighbours> pairScores = new LinkedHashMap<>();
        for (FeatureSpec f : model.features()) {
            if (f.pair()) {
                ItemNeighbours scores = neighbours == null ? null : neighbours.get(f.name());
                if (scores == null) {
                    throw new IllegalArgumentException("the model reads the pair feature " + f.name()
                            + ", and no neighbourhood scores were given to save for it");
                }
                pairScores.put(f.name(), scores);
            }
        }
        ModelManifest manifest = new ModelManifest();
        ExperimentConfig config = model.plan().config();
        manifest.taskweaveVersion = version();
        manifest.createdAt = Instant.now().toString();
        manifest.name = config.name;
        manifest.seed = config.seed;
        manifest.configFile = configFile.toAbsolutePath().normalize().toString();
        manifest.baseDirectory = baseDirectory.toAbsolutePath().normalize().toString();
        manifest.dataFingerprint = fingerprint;
        manifest.dataDescription.putAll(dataset.description());
        manifest.features.addAll(model.features());
        for (ResolvedTask t : model.tasks()) {
            ModelManifest.TaskEntry e = new ModelManifest.TaskEntry();
            e.name = t.name();
            e.head = t.headType();
            e.label = t.labels().column();
            e.labelCount = t.statistics().count();
            e.labelMean = t.statistics().mean();
            e.labelVariance = t.statistics().variance();
            e.labelRows = t.statistics().rows() == t.statistics().count() ? null : t.statistics().rows();
            e.labelWidth = t.labelInfo().width();
            e.attribute = t.labelInfo().attribute();
            e.attributeEntity = t.labelInfo().entity();
            e.attributeKind = t.labelInfo().kind();
            e.calibration = model.block().calibration(t.index());
            e.coldCalibration = model.block().coldCalibration(t.index());
            e.coldItemCalibration = model.block().coldItemCalibration(t.index());
            manifest.tasks.add(e);
        }
        manifest.formatVersion = ModelManifest.formatFor(manifest, config);
        Plan plan = model.plan();
        record(manifest, "data", plan.data());
        for (int i = 0; i < model.tasks().size(); i++) {
            record(manifest, "head:" + model.tasks().get(i).name(), plan.heads().get(i));
        }
        record(manifest, "sharing", plan.sharing());
        record(manifest, "weighting", plan.weighting());
        manifest.provenance.engine = Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion();
        manifest.training.epochsRun = result.history().size();
        manifest.training.bestEpoch = result.bestEpoch();
        manifest.training.stoppedEarly = result.stoppedEarly();
        manifest.training.trainSeconds = result.trainSeconds();
        manifest.training.samplesPerSecond = result.history().stream().mapToDouble(r -> r.samplesPerSecond()).average().orElse(0);

        // a directory that is not a model (the current directory, a data directory) is refused, not replaced
        AtomicDirectory.write(dir, MARKER, staging -> {
            Files.writeString(staging.resolve(EXPERIMENT), loader.toYaml(config));
            try (OutputStream os = Files.newOutputStream(staging.resolve(PARAMETERS));
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os))) {
                model.block().saveParameters(out);
            }
            try (OutputStream os = Files.newOutputStream(staging.resolve(ENTITIES));
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os))) {
                EntityCodec.write(out, dataset.users(), dataset.items(), model.features());
            }
            try (OutputStream os = Files.newOutputStream(staging.resolve(SEEN));
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os))) {
                SeenItems.of(dataset.train(), dataset.users().size()).write(out);
            }
            figures.writeValue(staging.resolve(METRICS).toFile(), result.metrics());
            figures.writeValue(staging.resolve(HISTORY).toFile(), result.history());
            WeightingState.save(staging.resolve(WEIGHTING_STATE), model);
            if (!pairScores.isEmpty()) {
                try (OutputStream os = Files.newOutputStream(staging.resolve(NEIGHBOURS));
                        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os))) {
                    ItemNeighbours.writeAll(pairScores, out);
                }
            }
            // the manifest last: it records every other file's length and checksum
            try (var files = Files.list(staging)) {
                for (Path f : files.sorted().toList()) {
                    manifest.files.put(f.getFileName().toString(), ModelManifest.FileEntry.of(f));
                }
            }
            byte[] manifestBytes = json.writeValueAsBytes(manifest);
            Files.write(staging.resolve(MANIFEST), manifestBytes);
            // and its own checksum beside it, of the very bytes written: a hand edit of a calibration is found too
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(manifestBytes);
            ModelManifest.FileEntry entry = new ModelManifest.FileEntry();
            entry.bytes = manifestBytes.length;
            entry.crc32c = String.format("%08x", crc.getValue());
            json.writeValue(staging.resolve(MANIFEST_CHECKSUM).toFile(), entry);
        });
    }

    private static void record(ModelManifest manifest, String component, Registered<?> registered) {
        manifest.provenance.plugins.put(registered.pluginId(), registered.pluginVersion());
        manifest.provenance.components.put(component, registered.type() + " (" + registered.pluginId() + " " + registered.pluginVersion() + ")");
    }

    /**
     * What training wrote to {@code dir}, when it trained {@code config}: a run of a benchmark or a
     * search that finished before an interruption is read back instead of trained again.
     *
     * @return the result, or empty when {@code dir} does not exist
     * @throws ConfigException naming {@code dir} when it holds no complete model, or a model of
     *     other settings (so an interrupted run is continued, never mixed with another), or naming
     *     the file that was changed or damaged since it was written
     */
    public java.util.Optional<TrainingResult> finished(Path dir, ExperimentConfig config) {
        return finishedRun(dir, config).map(Finished::result);
    }

    /**
     * A finished run read back ({@link #finishedRun}).
     *
     * @param result          what training returned
     * @param dataFingerprint the fingerprint of the data it was trained on, as {@code model.json}
     *                        records it
     * @param features        the features it reads, as {@code model.json} records them: a model of
     *                        an earlier release may read the same data otherwise (a history without
     *                        its declared scale)
     */
    public record Finished(TrainingResult result, String dataFingerprint, java.util.List<FeatureSpec> features) {
        /**
         * Whether this model reads its histories as the data declares them now: on the same data
         * (the fingerprint matches) a model of an earlier release may not, and is trained again.
         * Only the history scale is compared: labels and numeric scales that releases before they
         * were recorded left out still read the same data the same way.
         *
         * @param data the features of the data as read now (a dataset's, or those an experiment selects)
         * @return true when each of this model's histories that the data has by name declares the
         *     same {@link FeatureSpec#historyScale()} there
         */
        public boolean readsAs(java.util.List<FeatureSpec> data) {
            Map<String, FeatureSpec> byName = new java.util.HashMap<>();
            data.forEach(f -> byName.put(f.name(), f));
            return features.stream().allMatch(f -> !byName.containsKey(f.name())
                    || java.util.Objects.equals(byName.get(f.name()).historyScale(), f.historyScale()));
        }
    }

    /**
     * As {@link #finished}, with the fingerprint of the data the model was trained on: a caller
     * that has read the data decides whether the model is this data's.
     */
    public java.util.Optional<Finished> finishedRun(Path dir, ExperimentConfig config) {
        if (!Files.exists(dir)) {
            return java.util.Optional.empty();
        }
        Path manifest = dir.resolve(MANIFEST);
        Path experiment = dir.resolve(EXPERIMENT);
        Path metrics = dir.resolve(METRICS);
        Path history = dir.resolve(HISTORY);
        try {
            if (!Files.isRegularFile(manifest) || !Files.isRegularFile(metrics) || !Files.isRegularFile(experiment)
                    || !Files.isRegularFile(history)) {
                throw new ConfigException(dir.toString(), "", 0, "not a trained model (" + MANIFEST + ", " + METRICS + ", "
                        + HISTORY + " or " + EXPERIMENT + " is missing); remove it to train this run again");
            }
            ModelManifest m = readManifest(dir);
            if (!sameExperiment(readChecked(experiment, m).text(), config, experiment)) {
                throw new ConfigException(dir.toString(), "", 0, "holds a model of other settings than this run's (was the "
                        + "suite, the search or the experiment changed?); resume into the output of the same run, or remove "
                        + "the directory");
            }
            Map<String, Map<String, Map<String, Double>>> all;
            try (InputStream in = readChecked(metrics, m).stream()) {
                all = figures.readValue(in, new com.fasterxml.jackson.core.type.TypeReference<>() {});
            }
            java.util.List<dev.taskweave.core.run.EpochRecord> epochs;
            try (InputStream in = readChecked(history, m).stream()) {
                epochs = figures.readValue(in, new com.fasterxml.jackson.core.type.TypeReference<>() {});
            }
            return java.util.Optional.of(new Finished(new TrainingResult(epochs, m.training.bestEpoch, m.training.stoppedEarly,
                    m.training.trainSeconds, all), m.dataFingerprint, m.features));
        } catch (IOException e) {
            throw new ConfigException(dir.toString(), "", 0, "cannot read the finished run: " + e.getMessage());
        }
    }

    /**
     * A model read back from its directory.
     *
     * @param manifest  {@code model.json}
     * @param model     the graph with trained parameters
     * @param users     the user table
     * @param items     the item table
     * @param seen      each user's training items; {@link SeenItems#none()} for models saved without them
     * @param neighbours the scores of the model's pair features ({@code features.neighbours}) by
     *                  feature name, empty for a model without one: gatherers over {@code users} and
     *                  {@code items} take them ({@link dev.taskweave.core.data.FeatureGatherer#withNeighbours})
     * @param warnings  what may make the model score otherwise than it did when it was measured
     *                  (plugins it was made with installed in other versions), logged when it was
     *                  loaded; empty when nothing is doubtful
     */
    public record LoadedModel(ModelManifest manifest, AssembledModel model, EntityTable users, EntityTable items, SeenItems seen,
            Map<String, ItemNeighbours> neighbours, List<String> warnings) {
        public LoadedModel {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * What a model was trained on, read without building it (no plugin needed): its manifest and
     * its user and item tables.
     */
    public record Description(ModelManifest manifest, EntityTable users, EntityTable items) {}

    /**
     * Reads a model's manifest and entity tables.
     *
     * @throws ConfigException naming the directory or the file when the model is missing,
     *     incomplete or unreadable
     */
    public Description describe(Path dir) {
        return read(dir, () -> {
            ModelManifest manifest = readManifest(dir);
            EntityTable[] tables = readTables(dir, manifest);
            return new Description(manifest, tables[0], tables[1]);
        });
    }

    /**
     * Loads a model; its components must be provided by the installed plugins.
     *
     * @throws ConfigException naming the directory or the file when the model is missing (and,
     *     when a replacement of it was interrupted, where its previous content is), incomplete,
     *     truncated or unreadable: bad input, which a server answers by keeping its model
     */
    public LoadedModel load(Path dir, NDManager manager) {
        // every file is read once, checked, and parsed from the bytes checked (ModelFile): a
        // directory replaced while it is read cannot give one file's check and another's content
        return read(dir, () -> {
            ModelManifest manifest = readManifest(dir);
            Path experiment = dir.resolve(EXPERIMENT);
            ModelFile experimentFile = readChecked(experiment, manifest);
            ExperimentConfig config = readFile(experiment, () -> loader.parse(experimentFile.text(), experiment.toString()));
            Plan plan;
            try {
                plan = assembler.planStored(config, experiment.toString());
            } catch (ConfigException e) {
                throw withProvenance(e, manifest, assembler.installedPlugins());
            }
            Map<String, LabelStatistics> stats = new LinkedHashMap<>();
            Map<String, LabelInfo> labelInfo = new LinkedHashMap<>();
            for (int t = 0; t < manifest.tasks.size(); t++) {
                ModelManifest.TaskEntry e = manifest.tasks.get(t);
                if (e.labelRows != null && e.labelRows < e.labelCount) {
                    throw new ConfigException(dir.resolve(MANIFEST).toString(), "tasks[" + t + "].labelRows", 0, e.labelRows
                            + " training rows, below the task's " + e.labelCount + " labelled rows (labelCount): model.json was"
                            + " changed since it was written; copy the model again or retrain it");
                }
                // the labels' range is not recorded (NaN, not known): a stored model's heads are made to load it
                stats.put(e.name, new LabelStatistics(e.labelCount, e.labelMean, e.labelVariance,
                        e.labelRows == null ? e.labelCount : e.labelRows, Double.NaN, Double.NaN));
                labelInfo.put(e.name, new LabelInfo(e.labelWidth, e.attribute, e.attributeEntity, e.attributeKind));
            }
            AssembledModel model;
            try {
                model = assembler.assemble(plan, manifest.features, stats, labelInfo, manager);
            } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
                // the runtime's own checks on what it builds (a width below 1, a feature without a name): from a
                // model it wrote, only if model.json was changed since, which its checksum finds unless it is gone;
                // with the checksum there, model.json is as written, and the failure is not the model's
                if (Files.exists(dir.resolve(MANIFEST_CHECKSUM))) {
                    throw e;
                }
                throw new ConfigException(dir.resolve(MANIFEST).toString(), "", 0, "cannot build the model it describes ("
                        + e.getClass().getSimpleName() + ": " + e.getMessage() + "); it was changed or damaged since the model was"
                        + " written: copy the model again or retrain it");
            }
            Path parameters = dir.resolve(PARAMETERS);
            ModelFile parameterFile = readChecked(parameters, manifest);
            readFile(parameters, () -> {
                try (DataInputStream in = parameterFile.data()) {
                    model.block().loadParameters(manager, in);
                } catch (MalformedModelException e) {
                    throw new ConfigException(parameters.toString(), "", 0, "parameters do not match the model: " + e.getMessage());
                }
                return null;
            });
            for (ModelManifest.TaskEntry e : manifest.tasks) {
                if (e.calibration != null) {
                    model.block().setCalibration(model.task(e.name).index(), e.calibration);
                }
                if (e.coldCalibration != null) {
                    model.block().setColdCalibration(model.task(e.name).index(), e.coldCalibration);
                }
                if (e.coldItemCalibration != null) {
                    model.block().setColdItemCalibration(model.task(e.name).index(), e.coldItemCalibration);
                }
            }
            Path weighting = dir.resolve(WEIGHTING_STATE);
            ModelFile weightingFile = readOptional(weighting, manifest);
            if (weightingFile != null && model.weighting() instanceof StatefulWeighting) {
                byte[] state = readFile(weighting, weightingFile::bytes);
                WeightingState.load(state, model, weighting.toString());
            }
            EntityTable[] tables = readTables(dir, manifest);
            SeenItems seen = SeenItems.none();
            Path seenFile = dir.resolve(SEEN);
            ModelFile seenBytes = readOptional(seenFile, manifest);
            if (seenBytes != null) {
                seen = readFile(seenFile, () -> {
                    try (DataInputStream in = seenBytes.data()) {
                        return SeenItems.read(in, tables[0].size(), tables[1].size(), seenFile.toString());
                    }
                });
            }
            Map<String, ItemNeighbours> neighbours = Map.of();
            List<String> pairs = manifest.features.stream().filter(FeatureSpec::pair).map(FeatureSpec::name).toList();
            if (!pairs.isEmpty()) {
                Path file = dir.resolve(NEIGHBOURS);
                ModelFile neighbourFile = readChecked(file, manifest);
                // immutable: gatherers made per request (new users) take it without copying it
                neighbours = readFile(file, () -> {
                    try (DataInputStream in = neighbourFile.data()) {
                        return Map.copyOf(ItemNeighbours.readAll(in, file.toString(), pairs));
                    }
                });
                for (Map.Entry<String, ItemNeighbours> e : neighbours.entrySet()) {
                    ItemNeighbours n = e.getValue();
                    if (n.users() != tables[0].size() || n.items() != tables[1].size()) {
                        throw new IOException(file + " holds scores of " + n.users() + " users and " + n.items() + " items for "
                                + e.getKey() + "; the model has " + tables[0].size() + " and " + tables[1].size());
                    }
                }
            }
            List<String> warnings = new java.util.ArrayList<>();
            String drift = versionDrift(manifest, plan);
            if (drift != null) {
                LOG.warn("{}: {}", dir, drift);
                warnings.add(drift);
            }
            if (!Files.exists(dir.resolve(MANIFEST_CHECKSUM))) {
                String unchecked = MANIFEST_CHECKSUM + " is missing, so " + MANIFEST + " is read unchecked (models written before the"
                        + " checksum was recorded have none; a copy made without it is checked again once copied whole)";
                LOG.warn("{}: {}", dir, unchecked);
                warnings.add(unchecked);
            }
            return new LoadedModel(manifest, model, tables[0], tables[1], seen, neighbours, warnings);
        });
    }

    /**
     * @return a warning naming the plugins the model was made with that are installed in another
     *     version (its components now run their code: scores, and with them the figures measured
     *     when it was trained, may differ), or null when every one is the same version (or the
     *     model records none)
     */
    static String versionDrift(ModelManifest manifest, Plan plan) {
        if (manifest.provenance == null || manifest.provenance.plugins.isEmpty()) {
            return null;
        }
        Map<String, String> installed = new java.util.TreeMap<>();
        List<Registered<?>> used = new java.util.ArrayList<>(plan.heads());
        used.add(plan.data());
        used.add(plan.sharing());
        used.add(plan.weighting());
        for (Registered<?> r : used) {
            installed.put(r.pluginId(), r.pluginVersion());
        }
        List<String> differ = new java.util.ArrayList<>();
        installed.forEach((id, version) -> {
            String made = manifest.provenance.plugins.get(id);
            if (made != null && !made.equals(version)) {
                differ.add(id + " " + made + " (installed: " + version + ")");
            }
        });
        if (differ.isEmpty()) {
            return null;
        }
        return "the model was made with plugin" + (differ.size() == 1 ? " " : "s ") + String.join(", ", differ)
                + ": it runs with the installed version" + (differ.size() == 1 ? "" : "s") + ", whose scores may differ from "
                + "those measured when it was trained (evaluate it again, or retrain it)";
    }

    /**
     * @return {@code e}, a model's experiment refused by the installed plugins (a type no plugin
     *     provides), with the plugins and versions that made the model, so that the missing one is
     *     named
     */
    private static ConfigException withProvenance(ConfigException e, ModelManifest manifest, java.util.Set<String> installed) {
        if (manifest.provenance == null || manifest.provenance.components.isEmpty()) {
            return e;
        }
        // the plugins that made the model and are not loaded here: what to install, ahead of the whole list
        List<String> missing = manifest.provenance.plugins.entrySet().stream().filter(p -> !installed.contains(p.getKey()))
                .map(p -> p.getKey() + " " + p.getValue()).toList();
        String made = manifest.provenance.components.entrySet().stream()
                .map(c -> c.getKey() + " = " + c.getValue())
                .collect(java.util.stream.Collectors.joining(", "));
        return e.withReason(" (" + (missing.isEmpty() ? "" : "not installed here: plugin" + (missing.size() == 1 ? " " : "s ")
                + String.join(", ", missing) + "; ") + "the model was made with " + made + ": install the plugins it names)");
    }

    private interface Reading<T> {
        T run() throws IOException;
    }

    /**
     * Checks that {@code dir} holds a model before anything is started to read it (commands that
     * load a model later, after the plugins, check first).
     *
     * @throws ConfigException naming the directory when it is missing (and, when a replacement of
     *     it was interrupted, where its previous content is) or holds no model manifest
     */
    /**
     * @return what a model directory missing because its replacement was killed between its two
     *     renames ({@link AtomicDirectory#previous}) says: where the previous model is, and to put
     *     it back
     */
    public static String interruptedReplacement(Path dir, Path previous) {
        return "a replacement of the model was interrupted, and the previous model is in " + previous + "; rename it back to "
                + dir.getFileName();
    }

    public static void requireModelDirectory(Path dir) {
        if (!Files.exists(dir)) {
            Path previous = AtomicDirectory.previous(dir);
            if (previous != null) {
                throw new ConfigException(dir.toString(), "", 0, "no such directory: " + interruptedReplacement(dir, previous)
                        + " (the next train --output " + dir + " does)");
            }
            throw new ConfigException(dir.toString(), "", 0, "no such directory; expected a model directory written by train");
        }
        if (!Files.isRegularFile(dir.resolve(MANIFEST))) {
            throw new ConfigException(dir.toString(), "", 0, "not a Taskweave model directory: " + MANIFEST + " is missing");
        }
    }

    /**
     * Runs a read of the model directory {@code dir}, naming it in the errors: every failure to
     * read it is a {@link ConfigException} (bad input: a server keeps its model), naming the file
     * when one of its files is unreadable.
     */
    private static <T> T read(Path dir, Reading<T> reading) {
        requireModelDirectory(dir);
        try {
            return reading.run();
        } catch (NoSuchFileException e) {
            throw new ConfigException(dir.toString(), "", 0, "incomplete model directory: " + e.getFile() + " is missing");
        } catch (IOException e) {
            throw new ConfigException(dir.toString(), "", 0, "cannot read the model: " + describe(e));
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * Runs the read of one file of a model, naming it in the errors.
     *
     * @throws NoSuchFileException when it is missing (the directory is incomplete)
     * @throws ConfigException naming {@code file} when it ends early or cannot be read
     */
    private static <T> T readFile(Path file, Reading<T> reading) throws NoSuchFileException {
        try {
            return reading.run();
        } catch (NoSuchFileException e) {
            throw e;
        } catch (java.io.EOFException e) {
            throw new ConfigException(file.toString(), "", 0, "ends early: the file is truncated (was the model copied whole?)");
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "", 0, "cannot read: " + describe(e));
        }
    }

    /**
     * Reads {@code file} once, checked against the length and checksum {@code model.json} recorded
     * for it, when it recorded one (models of earlier releases did not).
     *
     * @throws NoSuchFileException when the file is missing (the directory is incomplete)
     * @throws ConfigException naming the file when its length or checksum differs, or it cannot be read
     */
    private static ModelFile readChecked(Path file, ModelManifest manifest) throws IOException {
        ModelManifest.FileEntry recorded = manifest.files.get(file.getFileName().toString());
        return readFile(file, () -> ModelFile.read(file, recorded, MANIFEST));
    }

    /**
     * As {@link #readChecked}, for a file a model may lack (one written before it existed): null
     * when it is missing and {@code model.json} does not record it.
     */
    private static ModelFile readOptional(Path file, ModelManifest manifest) throws IOException {
        if (!manifest.files.containsKey(file.getFileName().toString()) && !Files.isRegularFile(file)) {
            return null;
        }
        return readChecked(file, manifest);
    }

    /**
     * @param recorded the experiment a run recorded ({@link #EXPERIMENT})
     * @return whether it is {@code config}: the same text, or, as an earlier release wrote it
     *     without settings added since (at their defaults) and with the values of settings left out
     *     written ({@link ConfigLoader#canonicalYaml}), the same text once this release reads and
     *     writes it
     */
    private boolean sameExperiment(String recorded, ExperimentConfig config, Path file) {
        if (recorded.equals(loader.toYaml(config))) {
            return true;
        }
        try {
            return loader.canonicalYaml(loader.parse(recorded, file.toString())).equals(loader.canonicalYaml(config));
        } catch (ConfigException e) {
            return false; // a setting this release does not know: another experiment
        }
    }

    /**
     * Reads {@code model.json} once, checks its bytes against {@link #MANIFEST_CHECKSUM} when the
     * model has one, and parses it from those bytes.
     *
     * @throws ConfigException naming the model when {@code model.json} was changed or damaged since
     *     it was written, or the file when it is unreadable or of a newer format
     */
    private ModelManifest readManifest(Path dir) throws IOException {
        Path manifestFile = dir.resolve(MANIFEST);
        ModelFile bytes = readFile(manifestFile, () -> ModelFile.read(manifestFile, null, MANIFEST));
        Path checksumFile = dir.resolve(MANIFEST_CHECKSUM);
        if (Files.exists(checksumFile)) {
            ModelManifest.FileEntry recorded = readFile(checksumFile, () -> {
                try {
                    ModelManifest.FileEntry e = json.readValue(ModelFile.read(checksumFile, null, MANIFEST_CHECKSUM).bytes(),
                            ModelManifest.FileEntry.class);
                    if (e == null || e.crc32c == null || !e.crc32c.matches("[0-9a-f]{8}") || e.bytes < 0) {
                        throw new IOException("not a length and a CRC-32C");
                    }
                    return e;
                } catch (com.fasterxml.jackson.core.JacksonException e) {
                    throw new IOException("not a length and a CRC-32C: " + e.getOriginalMessage());
                }
            });
            ModelManifest.FileEntry actual = bytes.entry();
            if (actual.bytes != recorded.bytes || !actual.crc32c.equals(recorded.crc32c)) {
                throw new ConfigException(dir.toString(), "", 0, MANIFEST + " was changed or damaged since the model was written: "
                        + "it holds " + actual.bytes + " bytes of CRC-32C " + actual.crc32c + ", and " + MANIFEST_CHECKSUM
                        + " recorded " + recorded.bytes + " bytes of " + recorded.crc32c + "; copy the model again or retrain it"
                        + " (a model is not edited by hand)");
            }
        }
        // the format first: a newer model may hold fields this release does not know, which the
        // strict reading below would report as an unrecognized field instead
        com.fasterxml.jackson.databind.JsonNode tree = readFile(manifestFile, () -> {
            try (InputStream in = bytes.stream()) {
                return json.readTree(in);
            }
        });
        com.fasterxml.jackson.databind.JsonNode format = tree == null ? null : tree.get("formatVersion");
        if (format != null && format.isIntegralNumber() && format.asLong() > ModelManifest.FORMAT_VERSION) {
            throw newerFormat(manifestFile, format.asLong());
        }
        ModelManifest manifest = readFile(manifestFile, () -> {
            try (InputStream in = bytes.stream()) {
                return json.readValue(in, ModelManifest.class);
            }
        });
        if (manifest.formatVersion > ModelManifest.FORMAT_VERSION) {
            throw newerFormat(manifestFile, manifest.formatVersion);
        }
        if (manifest.formatVersion < 1) {
            throw new ConfigException(manifestFile.toString(), "formatVersion", 0, "expected a model format from 1 to "
                    + ModelManifest.FORMAT_VERSION + ", got " + manifest.formatVersion);
        }
        return manifest;
    }

    private static ConfigException newerFormat(Path manifestFile, long format) {
        return new ConfigException(manifestFile.toString(), "formatVersion", 0, "model format " + format
                + " is newer than this Taskweave reads (" + ModelManifest.FORMAT_VERSION + ", release " + version()
                + "): the model was written by a later release; serve or evaluate it with that release or a later one");
    }

    private static EntityTable[] readTables(Path dir, ModelManifest manifest) throws IOException {
        Path file = dir.resolve(ENTITIES);
        ModelFile bytes = readChecked(file, manifest);
        return readFile(file, () -> {
            try (java.io.InputStream in = bytes.stream()) {
                return EntityCodec.read(in, bytes.length(), manifest.features, file.toString());
            }
        });
    }

    /** @return the Taskweave version from the jar manifest, or "dev" */
    public static String version() {
        String v = ModelStore.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
