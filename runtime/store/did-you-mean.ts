/**
 * "did you mean `username`?" for misspelt parameters and fields.
 */
import { closest, distance } from 'fastest-levenshtein';

export function didYouMean(name: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(name, candidates as string[]);
  // Only suggest a name that is plausibly a typo of what was sent.
  const allowed = Math.max(2, Math.floor(name.length / 3));
  return distance(name, best) <= allowed ? `did you mean ${best}?` : undefined;
}
