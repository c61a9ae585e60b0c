package io.freightline.watcher.client;

import io.freightline.watcher.domain.Watched;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * Tags a registry or repository lists that do not follow their grammar (OCI tag, chart version, Git tag name) are
 * skipped before selection, counted in {@code freightline.poll.invalid.tags} and named in one warning per scan.
 */
@ApplicationScoped
public class InvalidTags {
    private static final Logger LOG = Logger.getLogger(InvalidTags.class);

    @Inject
    MeterRegistry meters;

    /** The tags that follow the grammar ({@code problem} returns null for them), in their order. */
    public List<String> valid(Watched w, Collection<String> tags, Function<String, String> problem) {
        List<String> out = new ArrayList<>(tags.size());
        String first = null;
        int invalid = 0;
        for (String t : tags) {
            String p = problem.apply(t);
            if (p == null) {
                out.add(t);
            } else {
                invalid++;
                if (first == null) first = p;
            }
        }
        if (invalid > 0) {
            meters.counter("freightline.poll.invalid.tags", "project", w.project(), "warehouse", w.warehouse(),
                    "kind", w.kind().name().toLowerCase(java.util.Locale.ROOT)).increment(invalid);
            LOG.warnf("%s: skipped %d listed tag(s) that are not valid references, first: %s", w.key(), invalid, first);
        }
        return out;
    }
}
