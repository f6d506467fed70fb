/**
 * `budget` split over items in proportion to `weights`, rounded by largest remainders (ties to the
 * earlier item) so the counts sum to exactly `budget`. All-zero weights split it evenly.
 */
export function allocate(weights: readonly number[], budget: number): number[] {
  if (!weights.length || budget <= 0) return weights.map(() => 0);
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = total > 0 ? weights.map((w) => (budget * w) / total) : weights.map(() => budget / weights.length);
  const counts = exact.map(Math.floor);
  let left = budget - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    counts[i]++;
    left--;
  }
  return counts;
}
