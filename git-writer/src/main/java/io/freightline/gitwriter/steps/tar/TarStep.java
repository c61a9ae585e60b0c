package io.freightline.gitwriter.steps.tar;

import io.freightline.gitwriter.domain.IgnoreRules;
import io.freightline.gitwriter.domain.RepoPaths;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

/**
 * Archives a folder (entries relative to it) or one file (entry = its name) into a tar file, optionally gzipped.
 * Entries are sorted and carry a fixed time (the epoch), so the same files always give the same archive bytes and
 * an unchanged input never makes a new commit.
 */
@ApplicationScoped
public class TarStep implements Step<TarConfig> {

    @Override
    public String name() {
        return "tar";
    }

    @Override
    public Class<TarConfig> configType() {
        return TarConfig.class;
    }

    @Override
    public String schema() {
        return TarConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, TarConfig config) throws StepException {
        String in = ctx.workspace().resolve(config.inPath());
        String out = ctx.workspace().resolve(config.outPath());
        if (out.isEmpty() || ctx.workspace().isDirectory(out)) {
            throw StepException.terminal(config.outPath(), "is a folder");
        }
        IgnoreRules ignore = new IgnoreRules(config.ignore());
        List<String> files;
        String base;
        if (ctx.workspace().isFile(in)) {
            files = List.of(in);
            base = RepoPaths.parent(in);
        } else if (ctx.workspace().isDirectory(in)) {
            files = ctx.workspace().files(in);
            base = in;
        } else {
            throw StepException.terminal(config.inPath(), "no such file or folder");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int n = 0;
        try (OutputStream sink = Boolean.TRUE.equals(config.gzip()) ? new GzipCompressorOutputStream(bytes) : bytes;
             TarArchiveOutputStream tar = new TarArchiveOutputStream(sink)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (String f : files) {
                String name = base.isEmpty() ? f : f.substring(base.length() + 1);
                if (f.equals(out) || ignore.ignored(name)) {
                    continue;
                }
                byte[] content = ctx.workspace().read(f).orElseThrow();
                TarArchiveEntry e = new TarArchiveEntry(name);
                e.setSize(content.length);
                e.setMode(0100644);
                e.setLastModifiedTime(FileTime.from(Instant.EPOCH));
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
                n++;
            }
            tar.finish();
        } catch (IOException e) {
            throw StepException.terminal(config.outPath(), "cannot write the archive: " + e.getMessage());
        }
        ctx.workspace().write(out, bytes.toByteArray());
        return "archived " + n + " file(s) of " + (in.isEmpty() ? "." : in) + " into " + out;
    }
}
