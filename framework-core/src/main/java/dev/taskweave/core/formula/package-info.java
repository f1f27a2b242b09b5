/**
 * A small arithmetic formula language over named values: the ranking formulas of {@code /v1/recommend}
 * (task scores) and the objectives of {@code taskweave tune} (validation metrics).
 */
package dev.taskweave.core.formula;
