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

    /**
     * Decay of an exponential moving average of the weights, updated after every step and used for
     * validation, early stopping and the saved model; 0 (the default) keeps the raw weights.
     */
    @JsonProperty("weightAverage")
    public double weightAverage = 0.0;

    /**
     * How training draws the negatives of implicit-feedback tasks: item {@code i} in proportion to
     * {@code (n_i + 1)^exponent}, {@code n_i} its training rows. 0 (the default) draws uniformly;
     * 0.75 is word2vec's choice, 1 in proportion to popularity. Evaluation negatives stay uniform.
     */
    @JsonProperty("negativeExponent")
    public double negativeExponent = 0.0;

    /**
     * A trained model's directory to start from instead of random weights (relative to the
     * experiment file): its parameters are carried over by name, the encoder's rows by the entity,
     * value or column they stand for. Null (the default) starts afresh.
     */
    @JsonProperty("initFrom")
    public String initFrom;

    /** Optional; without it every task learns from its labels alone. */
    @JsonProperty("distillation")
    public DistillationConfig distillation;

    /** Whether to record task-gradient cosines and gate usage after every epoch. */
    @JsonProperty("telemetry")
    public boolean telemetry = true;

    /** Cut-off K of HR@K and NDCG@K on ranking candidate lists. */
    @JsonProperty("rankingCutoff")
    public int rankingCutoff = 10;

    /**
     * PyTorch threads the training steps run on: 0 (the default) chooses one thread for steps of
     * fewer than {@link dev.taskweave.core.run.Trainer#TWO_THREAD_WORK} multiply-adds (the model's
     * per row times the batch's rows) and the engine's count ({@code TASKWEAVE_THREADS}) for larger
     * ones; a positive number is used as it is. The steps
     * and the validation after each epoch use it; the calibration and the metrics after the last
     * step run on the engine's count, as evaluation does.
     */
    @JsonProperty("threads")
    public int threads = 0;

    /** Whether to draw a progress bar per epoch on the terminal. */
    @JsonProperty("progressBar")
    public boolean progressBar = true;
}
