/**
 * Basic loss weightings: {@code fixed} (the weights declared per task in YAML), {@code equal}
 * (every task weighs 1) and {@code uncertainty} (learned homoscedastic uncertainty, Kendall, Gal
 * and Cipolla 2018).
 *
 * <p>Every block follows the {@link dev.taskweave.api.model.LossWeighting} contract: it takes
 * {@code NDList(losses [T], present [T])} and returns {@code NDList(total [], weights [T])}; a task
 * that is not present adds nothing to the total and receives no gradient.
 */
package dev.taskweave.plugins.weighting;
