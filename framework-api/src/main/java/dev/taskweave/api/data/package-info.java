/**
 * Data sources and the value types they produce: a {@link dev.taskweave.api.data.Dataset} holds
 * the feature schema, one {@link dev.taskweave.api.data.EntityTable} for users and one for items
 * (side features, keyed by entity index), and named splits of
 * {@link dev.taskweave.api.data.Interactions} whose label columns use {@code NaN} for "no label".
 */
package dev.taskweave.api.data;
