// Small statistics: mean, sample standard deviation, 95% confidence half-width (Student t).

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

export function stdev(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

// two-sided 95% Student t quantiles for 1..30 degrees of freedom; 1.96 beyond
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** Half-width of the 95% confidence interval of the mean (0 for fewer than 2 values). */
export function ci95(xs: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const t = n - 1 <= 30 ? T975[n - 2] : 1.96;
  return (t * stdev(xs)) / Math.sqrt(n);
}
