package io.freightline.watcher.client;

import io.freightline.watcher.domain.Discovery;
import io.freightline.watcher.domain.Watched;

import java.util.List;

/** Reads one kind of artifact source. Implementations are CDI beans, found by {@link #handles}. */
public interface Scanner {

    boolean handles(Watched watched);

    /** The host polled, for metrics labels. */
    String registry(Watched watched);

    /** The versions to emit, oldest first (the newest ends up last on the topic); may include emitted ones. */
    List<Discovery> scan(Watched watched);
}
