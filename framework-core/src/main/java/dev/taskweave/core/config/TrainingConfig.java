package dev.taskweave.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The training loop's settings. */
public final class TrainingConfig {
    @JsonProperty("batchSize")
    public int batchSize = 256;

    @JsonProperty("epochs")
    public int epochs = 10;

    /** Rows per forward pass when evaluating. */
    @JsonProperty("evalBatchSize")
    public int evalBatchSize = 4096;

    /** Optional; without it every epoch runs and the last one is kept. */
    @JsonProperty("earlyStopping")
    public EarlyStoppingConfig earlyStopping;

    /** Whether to draw a progress bar per epoch on the terminal. */
    @JsonProperty("progressBar")
    public boolean progressBar = true;
}
