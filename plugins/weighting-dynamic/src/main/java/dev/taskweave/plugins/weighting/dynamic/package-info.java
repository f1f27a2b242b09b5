/**
 * Dynamic loss weightings. Two work on the losses alone: {@code dwa} (Dynamic Weight Average, Liu,
 * Johns and Davison 2019) and {@code rlw} (Random Loss Weighting, Lin et al. 2021). Four work on the
 * per-task gradients of the shared parameters and also implement
 * {@link dev.taskweave.api.model.GradientCombiner}: {@code pcgrad} (Yu et al. 2020),
 * {@code mgda-ub} (Sener and Koltun 2018), {@code cagrad} (Liu et al. 2021) and {@code gradnorm}
 * (Chen et al. 2018).
 *
 * <p>Every block follows the {@link dev.taskweave.api.model.LossWeighting} contract: it takes
 * {@code NDList(losses [T], present [T])} and returns {@code NDList(total [], weights [T])}; a task
 * that is not present adds nothing to the total and receives no gradient. The gradient methods'
 * blocks return the plain sum of the present losses (for reporting and inference); their work is
 * done in {@code combine}. The numerical parts are small classes on plain arrays
 * ({@code PcGrad}, {@code MinNormSolver}, {@code CaGradSolver}, {@code GradNormUpdate},
 * {@code DwaWeights}) that compute dot products in double precision.
 */
package dev.taskweave.plugins.weighting.dynamic;
