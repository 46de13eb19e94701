// Percentiles and rates, as the benchmark reports them.

/** The p-th percentile (nearest rank) of samples, in their unit, rounded to 0.1. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[rank] * 10) / 10;
}

export function latencies(samples: number[]) {
  return {
    samples: samples.length,
    p50Ms: percentile(samples, 50),
    p95Ms: percentile(samples, 95),
    p99Ms: percentile(samples, 99),
    maxMs: percentile(samples, 100),
  };
}

export const round = (value: number, places = 1) => Math.round(value * 10 ** places) / 10 ** places;
