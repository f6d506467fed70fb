import { softmax } from './model/sampling';
import type { TokenView } from './protocol/results';

/**
 * The policy's view of tokens it was fed: each token's probability under `temperature` and the
 * `top` most likely tokens at its place, most likely first. Same logits, any temperature.
 */
export function tokenViews(ids: readonly number[], logits: readonly Float32Array[], piece: (id: number) => string, temperature: number, top: number): TokenView[] {
  return ids.map((id, i) => {
    const probs = softmax(logits[i].map((x) => x / temperature));
    const best = Array.from(probs.keys())
      .sort((a, b) => probs[b] - probs[a])
      .slice(0, top)
      .map((t) => ({ token: piece(t), p: probs[t] }));
    return { token: piece(id), p: probs[id], top: best };
  });
}
