package dev.taskweave.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * Knowledge distillation: some tasks learn from the averaged outputs of other models (teachers) as
 * well as from their labels. Each labelled row of a distilled task is trained towards
 * {@code (1 - weight)·label + weight·target}, the target being the teachers' mean output on the
 * same inputs (a probability for a binary task, a value for a regression). The teachers are either
 * trained first, as copies of this experiment with seeds of their own ({@code teachers}), or read
 * from model directories ({@code models}); exactly one of the two is given.
 */
public final class DistillationConfig {
    /**
     * How many teachers to train before the model: this experiment without distillation, teacher
     * {@code k} with seed {@code 100·seed + k}, on the same data. Null when {@code models} is given.
     */
    @JsonProperty("teachers")
    public Integer teachers;

    /**
     * Trained model directories (relative to the experiment file) to learn from: models of the same
     * data with the same features, of any architecture. Empty when {@code teachers} is given.
     */
    @JsonProperty("models")
    public List<String> models = new ArrayList<>();

    /** The share of the teachers' target in what a row is trained towards, in (0, 1]. */
    @JsonProperty("weight")
    public double weight = 0.5;

    /** The tasks distilled, by name; empty (the default) for every task whose head can be. */
    @JsonProperty("tasks")
    public List<String> tasks = new ArrayList<>();

    /**
     * With {@code teachers}: experiment fields the teachers are trained with in place of this
     * experiment's, merged as a suite's overrides are ({@code sharing}, {@code weighting},
     * {@code optimizer}, {@code training}; a larger MMoE teaching a shared-bottom model, say).
     * Empty (the default) for copies of this experiment.
     */
    @JsonProperty("teacher")
    public java.util.Map<String, Object> teacher = new java.util.LinkedHashMap<>();
}
