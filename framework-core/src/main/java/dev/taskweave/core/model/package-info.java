/**
 * The trainable graph: the input encoder that embeds side features, and the multi-task block
 * that chains encoder, sharing strategy, task heads and loss weighting into one DJL block.
 */
package dev.taskweave.core.model;
