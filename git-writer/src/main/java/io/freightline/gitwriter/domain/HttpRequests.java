package io.freightline.gitwriter.domain;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The HTTP calls of the {@code http} and {@code http-download} steps (the JDK client, as the pull-request clients). */
public final class HttpRequests {
    private static final HttpClient DIRECT = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** A response read up to a size limit. */
    public record Answer(int status, Map<String, List<String>> headers, byte[] body) {
    }

    /** The URL with the query parameters appended, each URL-encoded. */
    public static URI uri(String url, List<Map.Entry<String, String>> query) throws StepException {
        StringBuilder b = new StringBuilder(url);
        if (query != null && !query.isEmpty()) {
            b.append(url.contains("?") ? '&' : '?');
            for (int i = 0; i < query.size(); i++) {
                if (i > 0) {
                    b.append('&');
                }
                b.append(URLEncoder.encode(query.get(i).getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(query.get(i).getValue(), StandardCharsets.UTF_8));
            }
        }
        try {
            URI u = URI.create(b.toString());
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                throw StepException.terminal("url: only http and https URLs are requested, not " + u.getScheme());
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw StepException.terminal("url: not a URL: " + Redact.text(url));
        }
    }

    /**
     * Sends a request; transport errors and timeouts are retryable. {@code insecureSkipTLSVerify} is refused: the
     * JDK client cannot turn off host-name checks per request, and a trust-all context would be a global hole.
     */
    public static Answer send(HttpRequest.Builder request, String proxy, boolean insecureSkipTLSVerify, long maxBytes)
            throws StepException, InterruptedException {
        if (insecureSkipTLSVerify) {
            throw StepException.terminal("insecureSkipTLSVerify is not supported: add the server's CA certificate to "
                    + "the git-writer's trust store instead");
        }
        HttpClient client = DIRECT;
        if (proxy != null) {
            URI p = URI.create(proxy);
            int port = p.getPort() > 0 ? p.getPort() : "https".equals(p.getScheme()) ? 443 : 80;
            client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(10))
                    .proxy(ProxySelector.of(new InetSocketAddress(p.getHost(), port))).build();
        }
        HttpRequest built = request.build();
        try {
            HttpResponse<InputStream> r = client.send(built, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buf = new byte[16384];
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (out.size() + n > maxBytes) {
                        throw StepException.terminal(built.method() + " " + Redact.text(built.uri().toString())
                                + ": the response is larger than " + maxBytes / (1024 * 1024) + " MiB");
                    }
                    out.write(buf, 0, n);
                }
                return new Answer(r.statusCode(), r.headers().map(), out.toByteArray());
            }
        } catch (IOException e) {
            throw StepException.retryable(built.method() + " " + Redact.text(built.uri().toString()) + ": "
                    + Redact.text(String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())), e);
        }
    }

    private HttpRequests() {
    }
}
