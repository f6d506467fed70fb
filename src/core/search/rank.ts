/** Groups leaves by equal answer (the domain's key); a group's weight decides the order of groups, score the order within. */
export function rankByAnswer<T extends { readonly answer: string | null }>(leaves: readonly T[], scoreOf: (n: T) => number, weight: (scores: number[]) => number, keyOf: (answer: string) => string): T[] {
  const groups = new Map<string, T[]>();
  for (const leaf of leaves) {
    const key = leaf.answer === null ? NO_ANSWER : keyOf(leaf.answer);
    groups.set(key, [...(groups.get(key) ?? []), leaf]);
  }
  const ordered = [...groups.values()].map((members) => ({ members: [...members].sort((a, b) => scoreOf(b) - scoreOf(a)), weight: weight(members.map(scoreOf)) }));
  ordered.sort((a, b) => b.weight - a.weight || scoreOf(b.members[0]) - scoreOf(a.members[0]));
  return ordered.flatMap((g) => g.members);
}

const NO_ANSWER = '\u0000none';

export const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
export const max = (xs: number[]) => Math.max(...xs);
export const count = (xs: number[]) => xs.length;
