/**
 * Tiny benchmark helpers: time a function over a bounded number of
 * iterations (and a bounded wall time), and print aligned tables. Benchmarks
 * report; they never assert.
 */

export interface Measurement {
  /** Iterations actually run. */
  readonly iterations: number;
  /** Mean microseconds per iteration. */
  readonly meanMicros: number;
  /** Median microseconds per iteration (per-sample timing). */
  readonly medianMicros: number;
}

/** Runs `fn` `warmup` times, then up to `maxIterations` times or until `maxMillis` elapse. */
export function measure(
  fn: () => unknown,
  { warmup = 20, maxIterations = 2000, maxMillis = 1500 } = {},
): Measurement {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  const deadline = performance.now() + maxMillis;
  while (samples.length < maxIterations && performance.now() < deadline) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return summarise(samples);
}

/** Async variant for Argon2id and other promise-returning work. */
export async function measureAsync(
  fn: () => Promise<unknown>,
  { warmup = 2, maxIterations = 20, maxMillis = 5000 } = {},
): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  const deadline = performance.now() + maxMillis;
  while (samples.length < maxIterations && performance.now() < deadline) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return summarise(samples);
}

function summarise(samplesMs: number[]): Measurement {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const total = samplesMs.reduce((a, b) => a + b, 0);
  return {
    iterations: samplesMs.length,
    meanMicros: (total / Math.max(1, samplesMs.length)) * 1000,
    medianMicros: (sorted[Math.floor(sorted.length / 2)] ?? 0) * 1000,
  };
}

/** Prints rows as a Markdown-style table with right-aligned numeric columns. */
export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(`\n### ${title}\n`);
  console.log(line(header));
  console.log(
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
  );
  for (const r of cells.slice(1)) console.log(line(r));
}

export const fmt = (n: number, digits = 1): string =>
  n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits);
