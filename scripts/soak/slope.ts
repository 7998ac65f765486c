/** Least-squares slope of a sampled series. */

export interface Sample {
  readonly minute: number;
  readonly value: number;
}

/** The slope of the least-squares line through `points`, in value units per minute (0 for fewer than two). */
export function slope(points: readonly Sample[]): number {
  if (points.length < 2) return 0;
  const meanX = points.reduce((sum, p) => sum + p.minute, 0) / points.length;
  const meanY = points.reduce((sum, p) => sum + p.value, 0) / points.length;
  let numerator = 0;
  let denominator = 0;
  for (const p of points) {
    numerator += (p.minute - meanX) * (p.value - meanY);
    denominator += (p.minute - meanX) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}
