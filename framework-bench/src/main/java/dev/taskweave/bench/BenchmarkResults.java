package dev.taskweave.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The content of {@code results.json}: a stable shape other tools can read (documented in
 * {@code docs/benchmark.md}). Metric keys are {@code <task>.<metric>} on the {@code test} split
 * and {@code <task>.<metric>@<split>} on the others ({@code rating.rmse@test_cold_user}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class BenchmarkResults {
    /**
     * The fields every results.json has held since the first release, which tell one from other
     * JSON: {@code benchmark --results} reads a file only with them, and a benchmark replaces one in
     * its output only with them.
     */
    static final String[] IDENTIFYING = {"formatVersion", "configurations"};

    /** Version of this shape; bumped on incompatible changes. */
    @JsonProperty public int formatVersion = 1;
    @JsonProperty public String suite;
    @JsonProperty public String description;
    /** {@code full} or {@code quick}. */
    @JsonProperty public String mode;
    /** The command line that produced the results. */
    @JsonProperty public String command;
    @JsonProperty public String createdAt;
    /** Java, engine, processors: where the figures were measured. */
    @JsonProperty public Map<String, String> environment = new LinkedHashMap<>();
    @JsonProperty public List<ConfigurationResult> configurations = new ArrayList<>();

    /** One configuration's figures over its seeds. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class ConfigurationResult {
        @JsonProperty public String name;
        @JsonProperty public String experiment;
        /** Sharing strategy and loss weighting type names. */
        @JsonProperty public String sharing;
        @JsonProperty public String weighting;
        @JsonProperty public List<String> tasks = new ArrayList<>();
        @JsonProperty public List<Long> seeds = new ArrayList<>();
        /** The multi-task model's metrics. */
        @JsonProperty public Map<String, Summary> metrics = new LinkedHashMap<>();
        /** Each task's single-task counterpart's metrics (that task's keys only). */
        @JsonProperty public Map<String, Summary> singleTask = new LinkedHashMap<>();
        /** Multi- against single-task, per metric both have. */
        @JsonProperty public Map<String, Transfer> transfer = new LinkedHashMap<>();
        /**
         * Tasks that get no single-task counterpart, each with the reason (a task with
         * {@code transfer: esmm} is scored as the joint event with its parent, which a model of
         * the task alone does not predict).
         */
        @JsonProperty public Map<String, String> noSingleTask = new LinkedHashMap<>();
        /** Mean wall time of training one seed, in seconds (validation, telemetry and calibration included). */
        @JsonProperty public double trainSeconds;
        /**
         * Mean training throughput: rows (negatives and attribute rows included) over the time of
         * each epoch's batches (validation, telemetry and calibration not counted), mean over epochs and
         * seeds.
         */
        @JsonProperty public double samplesPerSecond;
        /**
         * Training throughput after the first epoch (total rows over total epoch time of epochs 2..n,
         * mean over seeds): the first epoch also pays the JVM's compilation of the training loop.
         * Equal to {@link #samplesPerSecond} for runs of one epoch.
         */
        @JsonProperty public double steadySamplesPerSecond;
        /**
         * PyTorch threads the configuration's training ran on ({@code training.threads}, or the count
         * 0 chose from the step's size and {@code TASKWEAVE_THREADS}): the throughput figures depend
         * on it; 0 when every seed's run was read back from a model trained before (a resumed suite).
         */
        @JsonProperty public int threads;
        /** Mean epochs run and best epoch. */
        @JsonProperty public double epochs;
        /** Training curves and telemetry of the first seed. */
        @JsonProperty public Curves curves = new Curves();
    }

    /** Per-epoch series of one training run. */
    public static final class Curves {
        @JsonProperty public List<Integer> epochs = new ArrayList<>();
        /** Per task, the mean training loss of each epoch. */
        @JsonProperty public Map<String, List<Double>> trainLoss = new LinkedHashMap<>();
        /** Per {@code task.metric}, the validation value of each epoch. */
        @JsonProperty public Map<String, List<Double>> validation = new LinkedHashMap<>();
        /** Per task pair, the cosine of their gradients on the shared parameters each epoch. */
        @JsonProperty public Map<String, List<Double>> gradientCosine = new LinkedHashMap<>();
        /** Per task, its mean gate weight per expert in the last epoch (gated strategies only). */
        @JsonProperty public Map<String, List<Double>> gateUsage = new LinkedHashMap<>();
    }
}
