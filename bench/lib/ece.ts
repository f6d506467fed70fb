// Calibration of a score against binary labels: a reliability table and the expected calibration error.

export interface ScoredStep {
  score: number;
  label: boolean;
}

export interface Bin {
  from: number;
  to: number;
  steps: number;
  meanScore: number;
  positive: number;
}

/** Equal-width bins over [0, 1] and the expected calibration error. */
export function reliability(steps: readonly ScoredStep[], bins = 10): { bins: Bin[]; ece: number } {
  const rows: Bin[] = Array.from({ length: bins }, (_, i) => ({ from: i / bins, to: (i + 1) / bins, steps: 0, meanScore: 0, positive: 0 }));
  for (const s of steps) {
    const b = rows[Math.min(bins - 1, Math.floor(s.score * bins))];
    b.steps++;
    b.meanScore += s.score;
    b.positive += s.label ? 1 : 0;
  }
  let ece = 0;
  for (const b of rows) {
    if (!b.steps) continue;
    b.meanScore /= b.steps;
    b.positive /= b.steps;
    ece += (b.steps / steps.length) * Math.abs(b.positive - b.meanScore);
  }
  return { bins: rows, ece };
}
