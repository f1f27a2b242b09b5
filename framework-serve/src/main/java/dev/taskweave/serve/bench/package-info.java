/** A load benchmark for a running {@code taskweave serve} (a program, not a test). */
package dev.taskweave.serve.bench;
