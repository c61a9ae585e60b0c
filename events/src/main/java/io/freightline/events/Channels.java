package io.freightline.events;

/**
 * SmallRye Reactive Messaging channel names. Incoming channels end in {@code -in}, outgoing in {@code -out},
 * so one service can both read and write a topic.
 */
public final class Channels {
    public static final String ARTIFACTS_IN = "artifacts-in";
    public static final String ARTIFACTS_OUT = "artifacts-out";
    public static final String COMMANDS_IN = "commands-in";
    public static final String COMMANDS_OUT = "commands-out";
    public static final String PROMOTIONS_IN = "promotions-in";
    public static final String PROMOTIONS_OUT = "promotions-out";
    public static final String COMMITS_IN = "commits-in";
    public static final String COMMITS_OUT = "commits-out";
    public static final String VERIFICATIONS_IN = "verifications-in";
    public static final String VERIFICATIONS_OUT = "verifications-out";
    public static final String WAREHOUSES_IN = "warehouses-in";
    public static final String WAREHOUSES_OUT = "warehouses-out";

    private Channels() {
    }
}
