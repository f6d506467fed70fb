import { softmax } from './model/sampling';
import type { TokenView } from './protocol/results';

/**
 * The policy's view of tokens it was fed: each token's probability under `temperature` and the
 * `top` most likely tokens at its place, most likely first. Same logits, any temperature.
 */
export function tokenViews(ids: readonly number[], logits: readonly Float32Array[], piece: (id: number) => string, temperature: number, top: number, rawLogits = 0): TokenView[] {
  return ids.map((id, i) => {
    const probs = softmax(logits[i].map((x) => x / temperature));
    const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a]);
    const best = order.slice(0, top).map((t) => ({ token: piece(t), p: probs[t] }));
    if (!rawLogits) return { token: piece(id), p: probs[id], top: best };
    // The token written is always among them, so its probability can be recomputed too.
    const kept = order.slice(0, rawLogits);
    if (!kept.includes(id)) kept.push(id);
    return { token: piece(id), p: probs[id], top: best, logits: kept.map((t) => ({ token: piece(t), logit: logits[i][t] })) };
  });
}
