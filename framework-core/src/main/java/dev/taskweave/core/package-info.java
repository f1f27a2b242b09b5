/**
 * The Taskweave runtime: {@link dev.taskweave.core.Taskweave} boots the engine and the plugins,
 * wires a run with Guice, and trains, evaluates and predicts.
 */
package dev.taskweave.core;
