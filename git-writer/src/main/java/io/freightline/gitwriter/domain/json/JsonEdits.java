package io.freightline.gitwriter.domain.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.freightline.events.EventCodec;
import io.freightline.gitwriter.domain.StepException;

import java.io.IOException;
import java.util.List;

/**
 * Surgical JSON edits: Jackson's streaming parser finds the character span of the value at a key path, and only
 * that span is replaced (or one member is inserted), so indentation, key order, spacing and the final newline of
 * the file stay as they were. Jackson has no "edit in place" mode, which is why the splice is written here.
 */
public final class JsonEdits {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    /** Where a value is, or where a missing member goes. */
    private record Found(int start, int end, int depth, int closeBrace, int lastMember, boolean empty) {
        boolean present() {
            return start >= 0;
        }
    }

    /**
     * Sets the value at a key path ({@code a.b.0.c}); missing object members are created (nested objects for the
     * rest of the path). An index past the end of an array and a path through a scalar are terminal errors.
     */
    public static String set(String file, String text, List<String> path, Object value) throws StepException {
        String json;
        try {
            json = EventCodec.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw StepException.terminal(file, "cannot write the value of " + String.join(".", path));
        }
        Found f;
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw StepException.terminal(file, "is empty, not a JSON document");
            }
            f = locate(file, p, path, 0, text);
            while (p.nextToken() != null) {
                // read to the end so a broken tail is reported, not written back
            }
        } catch (JsonProcessingException e) {
            throw StepException.terminal(file, "is not valid JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw StepException.terminal(file, "cannot be read as JSON: " + e.getMessage());
        }
        if (f.present()) {
            if (text.substring(f.start(), f.end()).equals(json)) {
                return text;
            }
            return text.substring(0, f.start()) + json + text.substring(f.end());
        }
        // build the missing rest of the path as nested objects
        List<String> rest = path.subList(f.depth(), path.size());
        String member = quote(rest.get(rest.size() - 1)) + ": " + json;
        for (int i = rest.size() - 2; i >= 0; i--) {
            member = quote(rest.get(i)) + ": {" + member + "}";
        }
        if (f.empty()) {
            return text.substring(0, f.closeBrace()) + member + text.substring(f.closeBrace());
        }
        int lineStart = text.lastIndexOf('\n', f.lastMember()) + 1;
        String indent = text.substring(lineStart, f.lastMember());
        int insertAt = f.closeBrace();
        while (insertAt > 0 && Character.isWhitespace(text.charAt(insertAt - 1))) {
            insertAt--;
        }
        String sep = indent.isBlank() && lineStart > 0 ? "," + lineEnding(text) + indent : ", ";
        return text.substring(0, insertAt) + sep + member + text.substring(insertAt);
    }

    /** The parser stands on the first token of the value at {@code path[0..depth)}. */
    private static Found locate(String file, JsonParser p, List<String> path, int depth, String text) throws IOException, StepException {
        JsonToken t = p.currentToken();
        if (depth == path.size()) {
            int start = (int) p.currentTokenLocation().getCharOffset();
            if (t.isStructStart()) {
                p.skipChildren();
            } else {
                p.getText(); // completes a lazily read string token
            }
            int end = (int) p.currentLocation().getCharOffset();
            return new Found(start, end, depth, -1, -1, false);
        }
        String key = path.get(depth);
        if (t == JsonToken.START_OBJECT) {
            int lastMember = -1;
            Found found = null;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                lastMember = (int) p.currentTokenLocation().getCharOffset();
                p.nextToken();
                if (found == null && name.equals(key)) {
                    found = locate(file, p, path, depth + 1, text);
                } else {
                    p.skipChildren();
                }
            }
            if (found != null) {
                return found;
            }
            int close = (int) p.currentTokenLocation().getCharOffset();
            return new Found(-1, -1, depth, close, lastMember, lastMember < 0);
        }
        if (t == JsonToken.START_ARRAY) {
            int index;
            try {
                index = Integer.parseInt(key);
            } catch (NumberFormatException e) {
                throw StepException.terminal(file, String.join(".", path.subList(0, depth))
                        + " is an array: '" + key + "' is not an index");
            }
            int i = 0;
            Found found = null;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (i++ == index) {
                    found = locate(file, p, path, depth + 1, text);
                } else {
                    p.skipChildren();
                }
            }
            if (found == null) {
                throw StepException.terminal(file, String.join(".", path.subList(0, depth)) + " has " + i
                        + " entries: no index " + key);
            }
            return found;
        }
        throw StepException.terminal(file, (depth == 0 ? "the document" : String.join(".", path.subList(0, depth)))
                + " is a " + t.name().toLowerCase().replace("value_", "") + ", not an object: cannot set " + String.join(".", path));
    }

    private static String quote(String key) throws StepException {
        try {
            return EventCodec.mapper().writeValueAsString(key);
        } catch (JsonProcessingException e) {
            throw StepException.terminal("cannot write the key " + key);
        }
    }

    private static String lineEnding(String text) {
        int i = text.indexOf('\n');
        return i > 0 && text.charAt(i - 1) == '\r' ? "\r\n" : "\n";
    }

    private JsonEdits() {
    }
}
