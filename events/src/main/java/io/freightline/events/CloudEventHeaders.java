package io.freightline.events;

/**
 * Kafka header names of a CloudEvent in binary mode (CloudEvents Kafka protocol binding 1.0), for producers
 * that do not use a CloudEvents library, such as kcat in a CI job.
 */
public final class CloudEventHeaders {
    public static final String SPEC_VERSION = "ce_specversion";
    public static final String TYPE = "ce_type";
    public static final String SOURCE = "ce_source";
    public static final String ID = "ce_id";
    public static final String TIME = "ce_time";
    public static final String SUBJECT = "ce_subject";
    public static final String CONTENT_TYPE = "content-type";
    public static final String SPEC_VERSION_1_0 = "1.0";
    public static final String JSON = "application/json";
    /** Header set on dead-letter records: why the record could not be processed. */
    public static final String DLQ_REASON = "dead-letter-reason";

    private CloudEventHeaders() {
    }
}
