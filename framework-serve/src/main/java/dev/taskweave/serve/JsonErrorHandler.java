package dev.taskweave.serve;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's answer to a request it refuses before any route sees it, in the server's JSON form
 * ({@code {"error": "http_503", "field": "", "message": ...}}) instead of an HTML page: above all
 * the 503 of a request that arrives on an open connection while the server stops (Jetty's
 * graceful stop refuses it), with {@code Retry-After: 1}; and a request Jetty cannot read (headers
 * above its limit, 431; a URI too long, 414; a malformed request line or {@code Content-Length}, 400).
 */
final class JsonErrorHandler extends ErrorHandler {
    private final ObjectMapper json;
    private final BooleanSupplier stopping;

    JsonErrorHandler(ObjectMapper json, BooleanSupplier stopping) {
        this.json = requireNonNull(json, "json is null");
        this.stopping = requireNonNull(stopping, "stopping is null");
    }

    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request, HttpServletResponse response, int code,
            String message) throws IOException {
        String text = code == 503 && stopping.getAsBoolean()
                ? "the server is stopping and takes no new request; send it to another instance"
                : message == null ? "" : message;
        if (code == 503) {
            response.setHeader("Retry-After", "1");
        }
        response.setContentType("application/json");
        byte[] body = TaskweaveServer.write(json, json.createObjectNode().put("error", "http_" + code).put("field", "").put("message", text));
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        baseRequest.setHandled(true);
    }

    /** The answer to a request Jetty's parser refused, before any handler saw it. */
    @Override
    public java.nio.ByteBuffer badMessageError(int status, String reason, org.eclipse.jetty.http.HttpFields.Mutable fields) {
        String text = reason == null ? org.eclipse.jetty.http.HttpStatus.getMessage(status) : reason;
        fields.put(org.eclipse.jetty.http.HttpHeader.CONTENT_TYPE, "application/json");
        byte[] body = TaskweaveServer.write(json, json.createObjectNode().put("error", "http_" + status).put("field", "").put("message", text));
        return java.nio.ByteBuffer.wrap(body);
    }
}
