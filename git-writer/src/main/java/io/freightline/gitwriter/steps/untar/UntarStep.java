package io.freightline.gitwriter.steps.untar;

import io.freightline.gitwriter.domain.IgnoreRules;
import io.freightline.gitwriter.domain.RepoPaths;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Extracts a tar (or gzipped tar) file into a folder. Every entry must land inside {@code outPath}: absolute names
 * and {@code ..} that climb out of it are refused (terminal, nothing extracted). Regular files are extracted;
 * folders are implied by their files; links and special files are skipped (a Git tree holds no empty folders,
 * and a link from an archive could point anywhere). At most 50 MiB per file and 100 MiB in all, as in Kargo.
 */
@ApplicationScoped
public class UntarStep implements Step<UntarConfig> {
    static final long MAX_FILE = 50L * 1024 * 1024;
    static final long MAX_TOTAL = 100L * 1024 * 1024;

    @Override
    public String name() {
        return "untar";
    }

    @Override
    public Class<UntarConfig> configType() {
        return UntarConfig.class;
    }

    @Override
    public String schema() {
        return UntarConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, UntarConfig config) throws StepException {
        String in = ctx.workspace().resolve(config.inPath());
        String out = ctx.workspace().resolve(config.outPath());
        byte[] archive = ctx.workspace().read(in).orElseThrow(() -> StepException.terminal(config.inPath(), "no such file"));
        if (ctx.workspace().isFile(out)) {
            throw StepException.terminal(config.outPath(), "is a file, not a folder");
        }
        int strip = config.stripComponents() == null ? 0 : config.stripComponents();
        IgnoreRules ignore = new IgnoreRules(config.ignore());
        // everything is read and checked first, so a bad entry leaves the workspace untouched
        Map<String, byte[]> files = new LinkedHashMap<>();
        int skipped = 0;
        long total = 0;
        try (InputStream raw = open(archive); TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName();
                if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
                    throw StepException.terminal(config.inPath(), "entry " + name + " has an absolute path: refused");
                }
                String[] parts = name.split("/");
                StringBuilder rest = new StringBuilder();
                int kept = 0;
                for (int i = 0; i < parts.length; i++) {
                    if (parts[i].isEmpty() || parts[i].equals(".")) {
                        continue;
                    }
                    if (kept++ < strip) {
                        continue;
                    }
                    rest.append(rest.isEmpty() ? "" : "/").append(parts[i]);
                }
                if (rest.isEmpty() || e.isDirectory()) {
                    continue;
                }
                String target = RepoPaths.normalize(out, rest.toString());
                if (!out.isEmpty() && !target.startsWith(out + "/")) {
                    throw StepException.terminal(config.inPath(), "entry " + name + " leads outside " + config.outPath() + ": refused");
                }
                if (e.isSymbolicLink() || e.isLink() || e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO() || !e.isFile()) {
                    skipped++;
                    continue;
                }
                if (ignore.ignored(rest.toString())) {
                    continue;
                }
                if (e.getSize() > MAX_FILE) {
                    throw StepException.terminal(config.inPath(), "entry " + name + " is larger than 50 MiB");
                }
                ByteArrayOutputStream content = new ByteArrayOutputStream();
                byte[] buf = new byte[8192];
                int r;
                while ((r = tar.read(buf)) > 0) {
                    total += r;
                    if (content.size() + r > MAX_FILE || total > MAX_TOTAL) {
                        throw StepException.terminal(config.inPath(), "extracts to more than 50 MiB per file or 100 MiB in all");
                    }
                    content.write(buf, 0, r);
                }
                files.put(target, content.toByteArray());
            }
        } catch (IOException e) {
            throw StepException.terminal(config.inPath(), "is not a tar archive: " + e.getMessage());
        }
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            String checked = ctx.workspace().resolve(f.getKey()); // a symbolic link in the repository may not lead out
            ctx.workspace().write(checked, f.getValue());
        }
        return "extracted " + files.size() + " file(s) into " + (out.isEmpty() ? "." : out)
                + (skipped > 0 ? " (" + skipped + " link(s) or special file(s) skipped)" : "");
    }

    private static InputStream open(byte[] archive) throws IOException {
        InputStream in = new ByteArrayInputStream(archive);
        if (archive.length > 2 && (archive[0] & 0xff) == 0x1f && (archive[1] & 0xff) == 0x8b) {
            return new GzipCompressorInputStream(in);
        }
        return in;
    }
}
