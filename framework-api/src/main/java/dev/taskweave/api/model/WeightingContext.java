package dev.taskweave.api.model;

import java.util.List;

/**
 * What the runtime tells a loss weighting when it creates it.
 *
 * @param tasks   task names, in the order of the loss vector
 * @param weights the {@code weight} each task declares in YAML (1 when omitted)
 */
public record WeightingContext(List<String> tasks, List<Double> weights) {
    public WeightingContext {
        tasks = List.copyOf(tasks);
        weights = List.copyOf(weights);
        if (tasks.size() != weights.size()) {
            throw new IllegalArgumentException(tasks.size() + " tasks but " + weights.size() + " weights");
        }
    }
}
