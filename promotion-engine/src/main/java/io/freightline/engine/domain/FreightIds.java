package io.freightline.engine.domain;

import io.freightline.events.ArtifactRef;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;

/** Content-derived ids: the same artifacts always make the same freight, the same decision the same promotion. */
public final class FreightIds {
    private static final String[] ADJECTIVES = ("able agile amber ancient azure bold brave breezy bright brisk calm "
            + "candid cheerful clever cosmic cozy crisp curious daring dapper dazzling eager earnest elegant epic "
            + "fancy fearless fierce fluffy frosty gentle giant gleaming golden graceful grand happy hardy hasty "
            + "humble icy jolly jovial keen kind lively lucky lunar majestic mellow merry mighty misty modest "
            + "nimble noble orange patient peppy placid plucky polite proud quick quiet radiant rapid rosy royal "
            + "rustic shiny silent silver sleek smooth snowy solar sparkling speedy spry steady stellar stormy "
            + "sturdy sunny swift tender thrifty tidy tranquil trusty upbeat vivid warm wild wise witty zany zesty "
            + "zealous velvet vintage hidden hopeful honest jazzy loyal mystic").split(" ");
    private static final String[] ANIMALS = ("aardvark albatross alpaca antelope badger beaver bison bobcat buffalo "
            + "camel capybara caribou cheetah chipmunk cobra condor cougar coyote crane dingo dolphin donkey dove "
            + "eagle eel elk emu falcon ferret finch flamingo fox gazelle gecko gibbon giraffe goose gopher gorilla "
            + "hamster hare hawk hedgehog heron hippo hornet horse husky ibex iguana impala jackal jaguar jay "
            + "kangaroo kestrel kiwi koala lemur leopard lion llama lobster lynx magpie mallard manatee marmot "
            + "meerkat mink mole moose narwhal newt ocelot octopus orca osprey otter owl panda panther parrot "
            + "pelican penguin puffin puma quail rabbit raccoon raven reindeer robin salmon seal shark sparrow "
            + "squid stork swan tapir tiger toucan turtle viper walrus weasel whale wolf wombat yak zebra").split(" ");

    /** SHA-1 hex of the canonical artifact references, sorted and joined with newlines. */
    public static String freightId(Collection<ArtifactRef> artifacts) {
        return sha1(String.join("\n", artifacts.stream().map(ArtifactRef::canonical).sorted().toList()));
    }

    /** A short, deterministic adjective-animal alias of a freight id. */
    public static String alias(String freightId) {
        byte[] h = HexFormat.of().parseHex(freightId.substring(0, 8));
        int a = ((h[0] & 0xff) << 8 | (h[1] & 0xff)) % ADJECTIVES.length;
        int b = ((h[2] & 0xff) << 8 | (h[3] & 0xff)) % ANIMALS.length;
        return ADJECTIVES[a] + "-" + ANIMALS[b];
    }

    /** The id of an auto-promotion: replaying the same decision makes the same id (the git-writer dedups by it). */
    public static String autoPromotionId(String project, String stage, String freightId, String kind) {
        return kind + "-" + sha1(project + "/" + stage + "/" + freightId + "/" + kind).substring(0, 20);
    }

    /** The id of a promotion requested by a command: the same command always makes the same promotion. */
    public static String commandPromotionId(String commandId) {
        return "manual-" + sha1("command/" + commandId).substring(0, 20);
    }

    public static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private FreightIds() {
    }
}
