package dev.taskweave.plugins.sharing.advanced;

import dev.taskweave.api.model.TaskOwnedParameters;
import java.util.List;

/**
 * Feature sharing only: task {@code t} receives {@code h_t = MLP_t(x)} from a column of its own, so
 * the tasks share nothing but the input encoder (the embeddings) in front of this block. Each column
 * belongs to its task ({@link TaskOwnedParameters}), so gradient combiners see only the encoder.
 */
public final class SeparateBlock extends ColumnsBlock {
    /**
     * @param inputWidth the width of the encoded input
     * @param tasks      the number of tasks (columns and outputs)
     * @param layers     every column's layer widths; empty hands {@code x} to every task
     * @param dropout    the dropout rate after each layer's activation
     */
    public SeparateBlock(int inputWidth, int tasks, List<Integer> layers, double dropout) {
        super("separate", inputWidth, tasks, layers, dropout);
    }
}
