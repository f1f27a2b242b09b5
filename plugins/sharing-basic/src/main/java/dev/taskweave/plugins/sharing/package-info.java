/**
 * Two sharing strategies: {@code shared-bottom}, one MLP whose output every task reads (hard
 * parameter sharing), and {@code mmoe}, a pool of expert MLPs mixed per task by a softmax gate
 * (Ma et al., KDD 2018).
 */
package dev.taskweave.plugins.sharing;
