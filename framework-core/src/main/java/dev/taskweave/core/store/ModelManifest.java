package dev.taskweave.core.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.data.FeatureSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code model.json}: what a trained model is and how it was made. */
public final class ModelManifest {
    /**
     * The newest format this release reads and writes; older formats stay readable. Format 2 holds
     * what releases of format 1 cannot read: a task's {@link TaskEntry#labelRows}, a neighbourhood
     * score's kind ({@code features.neighbours.by}) in {@code experiment.yaml} and a user-based
     * neighbourhood score in {@code neighbours.bin}. A model that holds none of them is written as
     * format 1, which those releases read (see {@link #formatFor}).
     */
    public static final int FORMAT_VERSION = 2;

    @JsonProperty public int formatVersion = FORMAT_VERSION;
    @JsonProperty public String taskweaveVersion;
    @JsonProperty public String createdAt;
    @JsonProperty public String name;
    @JsonProperty public long seed;
    /** Absolute path of the experiment file the model was trained from. */
    @JsonProperty public String configFile;
    /** Directory that relative data paths resolve against. */
    @JsonProperty public String baseDirectory;
    @JsonProperty public String dataFingerprint;
    @JsonProperty public Map<String, String> dataDescription = new LinkedHashMap<>();
    @JsonProperty public List<FeatureSpec> features = new ArrayList<>();
    @JsonProperty public List<TaskEntry> tasks = new ArrayList<>();
    @JsonProperty public Provenance provenance = new Provenance();
    @JsonProperty public Training training = new Training();
    /**
     * Every other file of the model by name, with its length and CRC-32C, written when the model
     * is: each is checked before it is read, so a damaged or partly copied file is refused by
     * name. Empty in models saved before it was recorded; their files are read unchecked.
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
    @JsonProperty public Map<String, FileEntry> files = new LinkedHashMap<>();

    /**
     * @param manifest the manifest of a model being written, its tasks filled in
     * @param config   the experiment it records ({@code experiment.yaml})
     * @return the oldest format that holds what the model holds: 2 with a task's labelRows or a
     *     neighbourhood score's kind ({@code by}, written only where it was set; a user-based score
     *     sets it), else 1
     */
    static int formatFor(ModelManifest manifest, dev.taskweave.core.config.ExperimentConfig config) {
        boolean labelRows = manifest.tasks.stream().anyMatch(t -> t.labelRows != null);
        List<dev.taskweave.core.config.NeighboursConfig> neighbours = config.features.neighbours;
        boolean kind = neighbours != null && neighbours.stream().anyMatch(n -> n != null && n.by != null);
        return labelRows || kind ? 2 : 1;
    }

    /** A model file's length and checksum. */
    public static final class FileEntry {
        @JsonProperty public long bytes;
        /** CRC-32C of the file's bytes, 8 lowercase hexadecimal digits */
        @JsonProperty public String crc32c;

        /** @return the length and CRC-32C of {@code file}, read whole */
        public static FileEntry of(java.nio.file.Path file) throws java.io.IOException {
            FileEntry e = new FileEntry();
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            byte[] buffer = new byte[1 << 16];
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    crc.update(buffer, 0, n);
                    e.bytes += n;
                }
            }
            e.crc32c = String.format("%08x", crc.getValue());
            return e;
        }
    }

    /** A task and the statistics its head was created with. */
    public static final class TaskEntry {
        @JsonProperty public String name;
        @JsonProperty public String head;
        @JsonProperty public String label;
        @JsonProperty public long labelCount;
        @JsonProperty public double labelMean;
        @JsonProperty public double labelVariance;
        /** training rows negatives were drawn for ({@link dev.taskweave.api.model.LabelStatistics#rows()}); absent in models saved before it was recorded, and where it is labelCount */
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        @JsonProperty public Long labelRows;
        @JsonProperty public int labelWidth = 1;
        @JsonProperty public boolean attribute;
        /** the entity an attribute task describes; absent in models saved before it was recorded */
        @JsonProperty public dev.taskweave.api.data.Entity attributeEntity;
        /** an attribute task's kind (flags or one class); absent for a label column and in models saved before it was recorded */
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        @JsonProperty public dev.taskweave.api.data.EntityAttribute.Kind attributeKind;
        /** Platt scaling {@code {a, b}} of the task's logit, fitted after training; absent without. */
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        @JsonProperty public double[] calibration;
        /** Platt scaling {@code {a, b}} for users the model does not know ({@code calibrateColdUsers}); absent without. */
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        @JsonProperty public double[] coldCalibration;
        /** Platt scaling {@code {a, b}} for items the model does not know ({@code calibrateColdItems}); absent without. */
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        @JsonProperty public double[] coldItemCalibration;
    }

    /** Which plugin provided each component. */
    public static final class Provenance {
        /** plugin id to version, for every plugin that provided a component of this model */
        @JsonProperty public Map<String, String> plugins = new LinkedHashMap<>();
        /** component ({@code data}, {@code sharing}, {@code weighting}, {@code head:<task>}) to "type (plugin version)" */
        @JsonProperty public Map<String, String> components = new LinkedHashMap<>();
        @JsonProperty public String java = System.getProperty("java.version");
        @JsonProperty public String engine;
    }

    /** How training went. */
    public static final class Training {
        @JsonProperty public int epochsRun;
        @JsonProperty public int bestEpoch;
        @JsonProperty public boolean stoppedEarly;
        @JsonProperty public double trainSeconds;
        @JsonProperty public double samplesPerSecond;
    }
}
