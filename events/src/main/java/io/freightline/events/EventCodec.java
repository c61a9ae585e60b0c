package io.freightline.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON (de)serialization of event payloads, validated against the published JSON Schema of their type
 * ({@code /schemas/<type>.json} in this jar).
 */
public final class EventCodec {
    /** Nesting deeper than this is refused before binding (bad-input defence). */
    public static final int MAX_NESTING = 64;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build());
    }

    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    /** The shared, thread-safe mapper with the settings every event uses. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Serializes a payload; nulls are left out. */
    public static String toJson(Object payload) {
        try {
            return MAPPER.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialize " + payload.getClass().getSimpleName(), e);
        }
    }

    /** Decodes the payload of an event of the given type, after checking it against the type's schema. */
    public static Object decode(String type, String json) {
        Class<?> payload = EventTypes.PAYLOADS.get(type);
        if (payload == null) {
            throw new InvalidEventException("unknown event type '" + type + "'");
        }
        return checked(bind(validated(type, json), payload));
    }

    /** Decodes and checks that the event is of the expected payload type. */
    public static <T> T decode(String type, String json, Class<T> expected) {
        String expectedType = EventTypes.typeOf(expected);
        if (type != null && !type.equals(expectedType)) {
            throw new InvalidEventException("unexpected event type '" + type + "', expected '" + expectedType + "'");
        }
        return checked(bind(validated(expectedType, json), expected));
    }

    /** What a schema pattern cannot say: the whole artifact reference follows its grammar. */
    private static <T> T checked(T event) {
        if (event instanceof ArtifactDiscovered d) {
            String problem = ArtifactReferences.problem(d.artifact());
            if (problem != null) {
                throw new InvalidEventException("invalid " + EventTypes.typeOf(ArtifactDiscovered.class) + ": " + problem);
            }
        }
        return event;
    }

    /** The schema violations of a payload, each naming the field; empty when it is valid. */
    public static List<String> violations(String type, String json) {
        return violations(type, parse(json));
    }

    /** Reads JSON into a tree, with a clear error for malformed input. */
    public static JsonNode parse(String json) {
        if (json == null || json.isBlank()) {
            throw new InvalidEventException("empty payload");
        }
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The JSON Schema document of a type, as published. */
    public static String schemaText(String type) {
        try (InputStream in = EventCodec.class.getResourceAsStream("/schemas/" + type + ".json")) {
            if (in == null) {
                throw new InvalidEventException("no schema for event type '" + type + "'");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode validated(String type, String json) {
        JsonNode node = parse(json);
        List<String> problems = violations(type, node);
        if (!problems.isEmpty()) {
            throw new InvalidEventException("invalid " + type + ": " + String.join("; ", problems));
        }
        return node;
    }

    private static List<String> violations(String type, JsonNode node) {
        Set<ValidationMessage> messages = schema(type).validate(node);
        return messages.stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    private static <T> T bind(JsonNode node, Class<T> type) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new InvalidEventException("cannot read " + type.getSimpleName() + ": " + msg, e);
        }
    }

    private static JsonSchema schema(String type) {
        return SCHEMAS.computeIfAbsent(type, t -> JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(schemaText(t)));
    }

    private EventCodec() {
    }
}
