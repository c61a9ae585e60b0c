package io.freightline.notifier.domain;

/** What one look at an application says about the promoted revision. */
public sealed interface Assessment {
    String reason();

    /** Synced and Healthy at the revision, with a succeeded operation that ran it. */
    record Done(String reason) implements Assessment {
    }

    /** Not there yet; look again later. */
    record Wait(String reason) implements Assessment {
    }

    /** Someone else's operation is pending or running: wait for it, never override it. */
    record OtherOperation(String reason) implements Assessment {
    }

    /** Nothing runs or ran the revision: we must ask for a sync. */
    record NeedsSync(String reason) implements Assessment {
    }

    /** The revision cannot become healthy: a failed operation, Degraded or Missing. */
    record Failed(String reason) implements Assessment {
    }
}
