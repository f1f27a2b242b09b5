/**
 * Loss weighting: {@code fixed} (the weights declared per task), {@code equal} (all 1) and
 * {@code uncertainty} (learnable homoscedastic-uncertainty weights, Kendall, Gal and Cipolla 2018).
 */
package dev.taskweave.plugins.weighting;
