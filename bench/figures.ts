// Percentiles and rates, as the benchmark reports them.

/** The p-th percentile (nearest rank) of samples, in their unit, rounded to 0.1. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[rank] * 10) / 10;
}

/** Fewer samples than this and no percentile is given, only the maximum: with 19, the p95 would be the maximum. */
export const FEWEST_FOR_PERCENTILES = 20;

/**
 * The p-th percentile, or null when it would be the maximum or there are too few samples to call it one: the p99
 * needs 100 samples, the p50 and p95 20.
 */
function honestPercentile(samples: number[], p: number): number | null {
  const n = samples.length;
  if (n < FEWEST_FOR_PERCENTILES || Math.ceil((p / 100) * n) >= n) return null;
  return percentile(samples, p);
}

export type Latencies = ReturnType<typeof latencies>;

export function latencies(samples: number[]) {
  return {
    samples: samples.length,
    p50Ms: honestPercentile(samples, 50),
    p95Ms: honestPercentile(samples, 95),
    p99Ms: honestPercentile(samples, 99),
    maxMs: samples.length === 0 ? null : percentile(samples, 100),
  };
}

/** "p50 12 ms, p95 30 ms, max 41 ms of 57", or "max of 4: 5351.9 ms" when there are too few for percentiles. */
export function latencyText({ samples, p50Ms, p95Ms, p99Ms, maxMs }: Latencies): string {
  if (samples === 0) return 'none';
  const given = [
    ['p50', p50Ms],
    ['p95', p95Ms],
    ['p99', p99Ms],
  ].filter((pair): pair is [string, number] => pair[1] !== null);
  if (given.length === 0) return `max of ${samples}: ${maxMs} ms`;
  return `${given.map(([name, ms]) => `${name} ${ms} ms`).join(', ')}, max ${maxMs} ms of ${samples}`;
}

/** Answers other than the one expected, by HTTP status (or "network"), as "503×2, network×1". */
export const failureText = (failed: Record<string, number>) =>
  Object.keys(failed).length === 0
    ? 'none failed'
    : `failed ${Object.entries(failed)
        .map(([status, count]) => `${status}×${count}`)
        .join(', ')}`;

export const round = (value: number, places = 1) => Math.round(value * 10 ** places) / 10 ** places;
