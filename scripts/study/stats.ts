// Summary statistics over seeds for the study: mean with a Student-t 95% confidence interval, spread, extremes.

/** Student-t 0.975 quantiles by degrees of freedom (1..30), for 95% confidence intervals over seeds. */
const T975 = [
  NaN,
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042,
];

export interface Summary {
  n: number;
  mean: number;
  /** half-width of the Student-t 95% CI of the mean (NaN for one value) */
  ci95: number;
  /** sample standard deviation */
  sd: number;
  min: number;
  max: number;
}

export function summarize(xs: number[]): Summary {
  const n = xs.length,
    mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n < 2 ? NaN : Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const ci95 = n < 2 ? NaN : (T975[Math.min(n - 1, 30)] * sd) / Math.sqrt(n);
  return { n, mean, ci95, sd, min: Math.min(...xs), max: Math.max(...xs) };
}

export const meanOf = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
