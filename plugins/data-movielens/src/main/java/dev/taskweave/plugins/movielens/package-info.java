/**
 * The {@code movielens} dataset source: the original MovieLens-100K files with user demographics
 * and item genres and release dates as side features, split by the ml100k-mtl benchmark files, by
 * one of MovieLens's canonical folds, or at random.
 */
package dev.taskweave.plugins.movielens;
