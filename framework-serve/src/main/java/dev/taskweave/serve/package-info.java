/**
 * {@code taskweave serve}: an HTTP/JSON server for trained models on Javalin, with atomic,
 * reference-counted model reloads and Prometheus metrics through Micrometer.
 */
package dev.taskweave.serve;
