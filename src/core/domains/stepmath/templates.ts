/**
 * Word-problem templates. `{name}` is a person; `{a}`..`{f}` are numbers whose kind is given by
 * `slots` (s: small 2..9, m: 2..maxNumber). `expr` is the computation over the same letters;
 * the gold steps are its reduction, so word problems share the arithmetic step format.
 */
export interface WordTemplate {
  id: string;
  ops: number;
  text: string;
  slots: Record<string, 's' | 'm'>;
  expr: string;
}

export const NAMES = ['Ana', 'Ben', 'Chen', 'Dara', 'Eli', 'Fatima', 'Gus', 'Hana', 'Ivan', 'Jo', 'Kofi', 'Lena', 'Maya', 'Nils', 'Omar', 'Priya'];

export const TEMPLATES: readonly WordTemplate[] = [
  { id: 'apples', ops: 1, text: '{name} has {a} apples and buys {b} more. How many apples does {name} have now?', slots: { a: 'm', b: 'm' }, expr: 'a + b' },
  { id: 'pen-boxes', ops: 1, text: 'A box holds {a} pens. How many pens are in {b} boxes?', slots: { a: 'm', b: 's' }, expr: 'a * b' },
  { id: 'spending', ops: 1, text: '{name} had ${a} and spent ${b}. How many dollars are left?', slots: { a: 'm', b: 'm' }, expr: 'a - b' },
  { id: 'cookies', ops: 1, text: '{a} cookies are shared equally among {b} children. How many cookies does each child get?', slots: { a: 'm', b: 's' }, expr: 'a / b' },
  { id: 'rope', ops: 1, text: 'A rope is {a} m long and is cut into {b} equal pieces. How many m long is each piece?', slots: { a: 'm', b: 's' }, expr: 'a / b' },
  { id: 'change', ops: 2, text: 'A shop sells pens for ${a} each. {name} buys {b} pens and pays with a ${c} bill. How much change does {name} get?', slots: { a: 's', b: 's', c: 'm' }, expr: 'c - b * a' },
  { id: 'train', ops: 2, text: 'A train travels {a} km per hour for {b} hours and then {c} km more. How far does it travel in total?', slots: { a: 'm', b: 's', c: 'm' }, expr: 'a * b + c' },
  { id: 'flour', ops: 2, text: 'A cake needs {a} grams of flour. {name} bakes {b} cakes and has {c} grams left over. How many grams did {name} start with?', slots: { a: 'm', b: 's', c: 'm' }, expr: 'a * b + c' },
  { id: 'ages', ops: 2, text: "{name} is {a} years old. {name}'s mother is {b} times as old, and the grandmother is {c} years older than the mother. How old is the grandmother?", slots: { a: 's', b: 's', c: 'm' }, expr: 'a * b + c' },
  { id: 'teams', ops: 2, text: '{a} students are split into {b} equal teams, and each team gets {c} more students. How many students are in each team now?', slots: { a: 'm', b: 's', c: 's' }, expr: 'a / b + c' },
  { id: 'tank', ops: 2, text: 'A tank holds {a} liters. {b} buckets of {c} liters are poured out. How many liters remain?', slots: { a: 'm', b: 's', c: 's' }, expr: 'a - b * c' },
  { id: 'shopping', ops: 3, text: 'A shop sells pens for ${a} each and notebooks for ${b} each. {name} buys {c} pens and {d} notebooks. How much does {name} spend?', slots: { a: 's', b: 'm', c: 's', d: 's' }, expr: 'c * a + d * b' },
  { id: 'orchard', ops: 3, text: 'A farmer has {a} rows of {b} trees. {c} trees are cut down and {d} new trees are planted. How many trees are there now?', slots: { a: 's', b: 'm', c: 'm', d: 'm' }, expr: 'a * b - c + d' },
  { id: 'bus', ops: 3, text: 'A bus starts with {a} passengers. At the first stop {b} get off and {c} get on, and at the second stop {d} get off. How many passengers remain?', slots: { a: 'm', b: 'm', c: 'm', d: 'm' }, expr: 'a - b + c - d' },
  { id: 'savings', ops: 3, text: '{name} saves ${a} a week for {b} weeks, spends ${c}, and splits the rest equally among {d} friends. How much does each friend get?', slots: { a: 'm', b: 's', c: 'm', d: 's' }, expr: '( a * b - c ) / d' },
  { id: 'cinema', ops: 3, text: 'A cinema has {a} rows with {b} seats each. {c} seats are broken and {d} people are seated. How many seats are free?', slots: { a: 's', b: 'm', c: 'm', d: 'm' }, expr: 'a * b - c - d' },
  { id: 'egg-cartons', ops: 3, text: '{name} uses {a} eggs per batch, makes {b} batches on Monday and {c} batches on Tuesday, and buys eggs in cartons of {d}. How many cartons does {name} need?', slots: { a: 's', b: 's', c: 's', d: 's' }, expr: 'a * ( b + c ) / d' },
  { id: 'bakery', ops: 4, text: 'A bakery makes {a} trays of {b} muffins in the morning and {c} trays of {d} muffins in the afternoon, and sells {e} muffins. How many muffins are left?', slots: { a: 's', b: 'm', c: 's', d: 'm', e: 'm' }, expr: 'a * b + c * d - e' },
  { id: 'garden', ops: 4, text: 'A garden has {a} beds of {b} tulips and {c} beds of {d} roses. Each flower needs {e} ml of water. How many ml of water are needed?', slots: { a: 's', b: 's', c: 's', d: 's', e: 's' }, expr: '( a * b + c * d ) * e' },
  { id: 'wages', ops: 4, text: '{name} earns ${a} an hour for {b} hours and ${c} an hour for {d} hours, then pays ${e} in fees. How much does {name} keep?', slots: { a: 'm', b: 's', c: 'm', d: 's', e: 'm' }, expr: 'a * b + c * d - e' },
  { id: 'club', ops: 4, text: 'A club has {a} members and each brings {b} guests. There are {c} tables of {d} seats. How many people have no seat?', slots: { a: 'm', b: 's', c: 's', d: 's' }, expr: 'a + a * b - c * d' },
  { id: 'road-trip', ops: 4, text: 'A car drives {a} km per hour for {b} hours and {c} km per hour for {d} hours, and the trip is made {e} times. How many km is that?', slots: { a: 'm', b: 's', c: 'm', d: 's', e: 's' }, expr: '( a * b + c * d ) * e' },
  { id: 'bills', ops: 5, text: 'A shop sells shirts for ${a} and hats for ${b}. {name} buys {c} shirts and {d} hats and pays with {e} bills of ${f}. How much change does {name} get?', slots: { a: 'm', b: 'm', c: 's', d: 's', e: 's', f: 'm' }, expr: 'e * f - ( c * a + d * b )' },
  { id: 'factory', ops: 5, text: 'A factory makes {a} toys an hour for {b} hours on each of {c} days. {d} toys are faulty, the rest are packed in boxes of {e}, and {f} boxes are shipped. How many boxes stay?', slots: { a: 'm', b: 's', c: 's', d: 'm', e: 's', f: 's' }, expr: '( a * b * c - d ) / e - f' },
  { id: 'tickets', ops: 5, text: 'Tickets cost ${a} for adults and ${b} for children. {c} adults and {d} children go, and {e} of them get ${f} off. How much do they pay?', slots: { a: 'm', b: 'm', c: 's', d: 's', e: 's', f: 's' }, expr: 'c * a + d * b - e * f' },
];
