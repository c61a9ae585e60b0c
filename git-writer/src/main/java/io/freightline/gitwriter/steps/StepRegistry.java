package io.freightline.gitwriter.steps;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.freightline.events.EventCodec;
import io.freightline.gitwriter.domain.FencedWorkspace;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Every {@link Step} bean by its {@code uses} name; validates and binds configs, runs steps within their timeout. */
@ApplicationScoped
public class StepRegistry {
    private final Map<String, Step<?>> steps = new TreeMap<>();
    private final Map<String, JsonSchema> schemas = new TreeMap<>();
    private final ExecutorService runner = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "step-runner");
        t.setDaemon(true);
        return t;
    });

    @Inject
    public StepRegistry(@Any Instance<Step<?>> found) {
        this(found.stream().toList());
    }

    /** For tests without CDI. */
    public StepRegistry(Collection<? extends Step<?>> all) {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        for (Step<?> s : all) {
            if (steps.put(s.name(), s) != null) {
                throw new IllegalStateException("two steps are named " + s.name());
            }
            schemas.put(s.name(), factory.getSchema(s.schema()));
        }
    }

    /** The step names and their schemas, for the API and docs. */
    public Map<String, Step<?>> all() {
        return Map.copyOf(steps);
    }

    /** What a step did: its one-line note and its outputs. */
    public record Ran(String message, Map<String, Object> outputs) {
    }

    /**
     * Runs one step: unknown step, invalid config and step errors are terminal unless the step says otherwise. The
     * step works on a fenced view of the workspace that is closed when it ends or times out, so a step thread that
     * outlives its timeout cannot write any more.
     */
    public Ran run(String uses, Map<String, Object> config, StepContext context) throws StepException {
        return run(uses, config, context, null);
    }

    /**
     * Runs one step within {@code limit} (a template's {@code retry.timeout} left for it) or the step's own timeout,
     * whichever ends first. When this returns or throws, the step's fenced view is closed: a step thread still
     * running can no longer read or write the workspace nor the Git checkouts.
     */
    public Ran run(String uses, Map<String, Object> config, StepContext context, java.time.Duration limit) throws StepException {
        Step<?> step = steps.get(uses);
        if (step == null) {
            throw StepException.terminal("unknown step '" + uses + "' (known: " + String.join(", ", steps.keySet()) + ")");
        }
        return runTyped(step, config == null ? Map.of() : config, context, limit);
    }

    /** Whether the step's errors may go away on a retry. */
    public boolean retryable(String uses) {
        Step<?> step = steps.get(uses);
        return step != null && step.retryable();
    }

    private <C> Ran runTyped(Step<C> step, Map<String, Object> config, StepContext context, java.time.Duration limit)
            throws StepException {
        JsonNode json = EventCodec.mapper().valueToTree(config);
        Set<ValidationMessage> problems = schemas.get(step.name()).validate(json);
        if (!problems.isEmpty()) {
            List<String> msgs = problems.stream().map(ValidationMessage::getMessage).sorted().toList();
            throw StepException.terminal("invalid config of step " + step.name() + ": " + String.join("; ", msgs));
        }
        C bound;
        try {
            bound = EventCodec.mapper().treeToValue(json, step.configType());
        } catch (Exception e) {
            throw StepException.terminal("invalid config of step " + step.name() + ": " + e.getMessage());
        }
        FencedWorkspace fenced = new FencedWorkspace(context.workspace());
        StepContext own = context.forStep(fenced);
        java.time.Duration timeout = limit != null && limit.compareTo(step.timeout()) < 0 ? limit : step.timeout();
        Future<String> f = runner.submit(() -> step.run(own, bound));
        try {
            String message = f.get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
            return new Ran(message, java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(own.outputs())));
        } catch (TimeoutException e) {
            fenced.close();
            f.cancel(true);
            String msg = "step " + step.name() + " timed out after " + (timeout.toMillis() < 1000
                    ? timeout.toMillis() + " ms" : timeout.toSeconds() + " s");
            throw step.retryable() ? StepException.retryable(msg, e) : StepException.terminal(msg);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StepException se) {
                throw se;
            }
            throw StepException.terminal("step " + step.name() + " failed: " + e.getCause());
        } catch (InterruptedException e) {
            fenced.close();
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw StepException.retryable("interrupted", e);
        } finally {
            fenced.close();
        }
    }
}
