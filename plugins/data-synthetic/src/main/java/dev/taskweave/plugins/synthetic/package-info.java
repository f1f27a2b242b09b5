/**
 * The {@code synthetic} dataset source: users, items and ratings generated from a planted latent
 * model (user segments, item categories, tags, biases and popularity), so that every task the
 * runtime offers has signal to learn and the amount of signal is known.
 */
package dev.taskweave.plugins.synthetic;
