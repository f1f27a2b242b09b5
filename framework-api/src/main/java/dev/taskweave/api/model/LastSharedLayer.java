package dev.taskweave.api.model;

import ai.djl.nn.Parameter;
import java.util.List;

/**
 * Implemented by a sharing block that names its last shared layer: the shared parameters closest
 * to the task heads, whose output every task's input is computed from (a shared bottom's last
 * layer, the experts' output layers in a mixture of experts). GradNorm (Chen et al. 2018) measures
 * each task's gradient norm on that layer alone; the runtime marks these parameters with
 * {@link SharedParameter#lastLayer()} in the layout a {@link GradientCombiner} receives.
 *
 * <p>Without this interface (or with an empty list) every shared parameter of the block is marked,
 * with the heads of tasks another task depends on: correct, but the norm then spans every layer and
 * leans towards the widest of them.
 */
public interface LastSharedLayer {
    /**
     * Called after the block is initialised.
     *
     * @return parameters of the block (the same {@link Parameter} objects as in its
     *     {@code getParameters()}) that no task owns ({@link TaskOwnedParameters}); empty when the
     *     block shares no layer (its tasks' parameters are all their own)
     */
    List<Parameter> lastSharedLayer();
}
