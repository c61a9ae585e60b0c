package io.freightline.notifier.domain;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Outbound calls of the verification checks. */
public interface CheckGateway {

    /** One HTTP request; throws on connection failure or timeout. */
    HttpResponse http(String method, String url, Map<String, String> headers, String body, Duration timeout)
            throws Exception;

    /** One instant PromQL query; the values of every series (a scalar is one value). Throws on any failure. */
    List<Double> prometheus(String address, String query, Duration timeout) throws Exception;

    record HttpResponse(int status, String body) {
    }
}
