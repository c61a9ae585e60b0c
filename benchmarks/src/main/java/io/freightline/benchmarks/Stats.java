package io.freightline.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Percentiles of a sample, nearest-rank. */
public record Stats(List<Double> sorted) {

    public static Stats of(List<Double> values) {
        List<Double> copy = new ArrayList<>(values);
        Collections.sort(copy);
        return new Stats(List.copyOf(copy));
    }

    public double percentile(double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    public double median() {
        return percentile(50);
    }

    public double max() {
        return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1);
    }

    public double min() {
        return sorted.isEmpty() ? Double.NaN : sorted.get(0);
    }

    public int count() {
        return sorted.size();
    }
}
