package io.freightline.gitwriter.domain;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** UTF-8 text files of a workspace, decoded strictly so a rewrite never mangles bytes it did not understand. */
public final class TextFiles {
    /**
     * The largest file a step edits. Kubernetes keeps an object under about 1.5 MiB, so a manifest or values file
     * larger than this is not one a promotion should rewrite (and parsing it would cost the writer its memory).
     */
    public static final int MAX_BYTES = 4 * 1024 * 1024;

    public static String read(Workspace ws, String path) throws StepException {
        byte[] bytes = ws.read(path).orElseThrow(() -> StepException.terminal(path, "no such file"));
        if (bytes.length > MAX_BYTES) {
            throw StepException.terminal(path, "is " + bytes.length / (1024 * 1024) + " MiB, more than the "
                    + MAX_BYTES / (1024 * 1024) + " MiB a promotion step edits");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw StepException.terminal(path, "is not UTF-8 text");
        }
    }

    /** Writes the text when it differs from what is there; true when the file changed. */
    public static boolean writeIfChanged(Workspace ws, String path, String before, String after) throws StepException {
        if (before.equals(after)) {
            return false;
        }
        ws.write(path, after.getBytes(StandardCharsets.UTF_8));
        return true;
    }

    private TextFiles() {
    }
}
