/**
 * The Taskweave service-provider interface: the extension points that plugins implement and the
 * small value types they exchange with the runtime.
 *
 * <p>Every extension point is a PF4J {@link org.pf4j.ExtensionPoint} whose implementations are
 * chosen by a type name in the experiment YAML ({@code head: binary}, {@code sharing: {type: mmoe}}).
 * A factory declares a typed configuration class; the runtime maps the YAML {@code params} block
 * onto it, rejects unknown fields and calls {@link dev.taskweave.api.ValidatedConfig#validate()}
 * before any training starts.
 */
package dev.taskweave.api;
