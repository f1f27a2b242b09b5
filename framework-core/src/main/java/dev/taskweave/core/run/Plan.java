package dev.taskweave.core.run;

import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.plugin.Registered;
import java.util.List;

/**
 * A validated experiment: every type resolved to a plugin factory and every {@code params} block
 * bound to the plugin's configuration object.
 *
 * @param config    the experiment
 * @param source    the file it came from (for messages)
 * @param data      the data source factory
 * @param dataConfig its bound parameters
 * @param heads     per task, the head factory
 * @param headConfigs per task, the bound parameters
 * @param sharing   the sharing strategy factory
 * @param sharingConfig its bound parameters
 * @param weighting the loss weighting factory
 * @param weightingConfig its bound parameters
 * @param experiment whether the experiment is to be checked or trained (true), or is a trained
 *                  model's being loaded (false): a model keeps loading when a later release
 *                  checks more of what only training and evaluation read (which metrics fit a
 *                  head, early stopping, settings without effect)
 */
public record Plan(ExperimentConfig config, String source,
        Registered<?> data, Object dataConfig,
        List<Registered<?>> heads, List<Object> headConfigs,
        Registered<?> sharing, Object sharingConfig,
        Registered<?> weighting, Object weightingConfig, boolean experiment) {

    /** An experiment's plan, checked as training needs it. */
    public Plan(ExperimentConfig config, String source, Registered<?> data, Object dataConfig, List<Registered<?>> heads,
            List<Object> headConfigs, Registered<?> sharing, Object sharingConfig, Registered<?> weighting, Object weightingConfig) {
        this(config, source, data, dataConfig, heads, headConfigs, sharing, sharingConfig, weighting, weightingConfig, true);
    }
}
