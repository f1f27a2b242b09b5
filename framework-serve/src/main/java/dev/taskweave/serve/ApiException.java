package dev.taskweave.serve;

import static java.util.Objects.requireNonNull;

/**
 * A request the server refuses, answered with {@code status} and the JSON body
 * {@code {"error": kind, "field": field, "message": message}}.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String kind;
    private final String field;

    private ApiException(int status, String kind, String field, String message) {
        super(message);
        this.status = status;
        this.kind = requireNonNull(kind, "kind is null");
        this.field = requireNonNull(field, "field is null");
    }

    /** 400: the request is malformed or asks for something invalid. */
    public static ApiException badRequest(String field, String message) {
        return new ApiException(400, "bad_request", field, message);
    }

    /** 408: the request body arrived more slowly than the server waits for ({@code minRequestBytesPerSecond}). */
    public static ApiException tooSlow(String message) {
        return new ApiException(408, "too_slow", "", message);
    }

    /** 401: an admin endpoint asked without the token serve.yaml requires. */
    public static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", "Authorization", message);
    }

    /** 404: the request names a user or item the model does not know. */
    public static ApiException notFound(String field, String message) {
        return new ApiException(404, "not_found", field, message);
    }

    /** 503: the server is at capacity; the client should retry after a short wait. */
    public static ApiException overloaded(String message) {
        return new ApiException(503, "overloaded", "", message);
    }

    /** 503: the server is stopping; the client should retry on another instance. */
    public static ApiException unavailable(String message) {
        return new ApiException(503, "unavailable", "", message);
    }

    /** 409: an admin action could not be done (for example a model that fails to load). */
    public static ApiException conflict(String field, String message) {
        return new ApiException(409, "conflict", field, message);
    }

    /** 500: the server failed (an error of the JVM such as running out of memory); it keeps serving. */
    public static ApiException internal(String message) {
        return new ApiException(500, "internal", "", message);
    }

    /** @return the HTTP status */
    public int status() {
        return status;
    }

    /** @return a short machine-readable kind: bad_request, not_found, conflict, overloaded, unavailable, internal */
    public String kind() {
        return kind;
    }

    /** @return the JSON path of the offending field ({@code ""} for the whole body) */
    public String field() {
        return field;
    }
}
