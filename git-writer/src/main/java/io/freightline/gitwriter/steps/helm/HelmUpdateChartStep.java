package io.freightline.gitwriter.steps.helm;

import io.freightline.events.ArtifactKind;
import io.freightline.events.ArtifactRef;
import io.freightline.gitwriter.domain.RepoPaths;
import io.freightline.gitwriter.domain.Step;
import io.freightline.gitwriter.domain.StepContext;
import io.freightline.gitwriter.domain.StepException;
import io.freightline.gitwriter.domain.TextFiles;
import io.freightline.gitwriter.domain.yaml.YamlEdits;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/**
 * Sets dependency versions in a chart's Chart.yaml, byte-preserving. Chart.lock is left alone: regenerating it needs
 * the chart repositories ({@code helm dependency update}), which Argo CD runs at render time anyway.
 */
@ApplicationScoped
public class HelmUpdateChartStep implements Step<HelmUpdateChartConfig> {

    @Override
    public String name() {
        return "helm-update-chart";
    }

    @Override
    public Class<HelmUpdateChartConfig> configType() {
        return HelmUpdateChartConfig.class;
    }

    @Override
    public String schema() {
        return HelmUpdateChartConfig.SCHEMA;
    }

    @Override
    public String run(StepContext ctx, HelmUpdateChartConfig config) throws StepException {
        String file = ctx.workspace().resolve(RepoPaths.join(ctx.workspace().resolve(config.path()), "Chart.yaml"));
        List<HelmUpdateChartConfig.Chart> charts = new ArrayList<>();
        if (config.charts() == null) {
            for (ArtifactRef a : ctx.artifacts(ArtifactKind.CHART)) {
                charts.add(new HelmUpdateChartConfig.Chart(a.repoURL(), a.name(), a.tag()));
            }
            if (charts.isEmpty()) {
                throw StepException.terminal("helm-update-chart: no charts given and the freight has none");
            }
        } else {
            for (HelmUpdateChartConfig.Chart c : config.charts()) {
                String version = c.version();
                if (version == null) {
                    version = ctx.artifacts(ArtifactKind.CHART).stream()
                            .filter(a -> c.name().equals(a.name()) && (c.repository() == null || c.repository().equals(a.repoURL())))
                            .map(ArtifactRef::tag).findFirst()
                            .orElseThrow(() -> StepException.terminal("helm-update-chart: chart " + c.name()
                                    + " has no version and is not in the freight"));
                }
                charts.add(new HelmUpdateChartConfig.Chart(c.repository(), c.name(), version));
            }
        }
        String before = TextFiles.read(ctx.workspace(), file);
        String after = before;
        for (HelmUpdateChartConfig.Chart c : charts) {
            after = YamlEdits.setDependencyVersion(file, after, c.name(), c.repository(), c.version());
        }
        boolean changed = TextFiles.writeIfChanged(ctx.workspace(), file, before, after);
        return (changed ? "set " : "already set ") + charts.stream().map(c -> c.name() + "@" + c.version()).toList() + " in " + file;
    }
}
