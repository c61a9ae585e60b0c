package io.freightline.gitwriter.steps.filewrite;

import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;

/** Writes a whole file. */
@ApplicationScoped
public class FileWriteStep implements Step<FileWriteConfig> {

    @Override
    public String name() {
        return "file-write";
    }

    @Override
    public Class<FileWriteConfig> configType() {
        return FileWriteConfig.class;
    }

    @Override
    public String schema() {
        return FileWriteConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, FileWriteConfig config) throws StepException {
        String path = ctx.workspace().resolve(config.path());
        if (path.isEmpty() || ctx.workspace().isDirectory(path)) {
            throw StepException.terminal(config.path(), "is a folder");
        }
        ctx.workspace().write(path, config.contents().getBytes(StandardCharsets.UTF_8));
        return "wrote " + path;
    }
}
