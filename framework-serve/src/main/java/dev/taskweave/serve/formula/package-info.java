/** The ranking formula language of {@code /v1/recommend}: fuses task scores into one score. */
package dev.taskweave.serve.formula;
