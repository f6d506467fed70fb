import { create, parseDependencies, fractionDependencies, type MathNode, type Fraction } from 'mathjs';
import { bin, num, X, type Expr, type Op } from './expr';

const math = create({ parseDependencies, fractionDependencies }, { number: 'Fraction' });

export class ParseError extends Error {}

const OPS: Record<string, Op> = { add: '+', subtract: '-', multiply: '*', divide: '/' };

/** Longest input we try to parse: beyond this it is not a step anyone wrote. */
export const MAX_EXPRESSION_CHARS = 2000;

function toExpr(node: MathNode, allowVar: boolean): Expr {
  switch (node.type) {
    case 'ConstantNode': {
      const value = (node as unknown as { value: unknown }).value;
      if (typeof value === 'string' || typeof value === 'boolean' || value === undefined || value === null) throw new ParseError('not a number');
      return num(math.fraction(value as Fraction));
    }
    case 'SymbolNode':
      if (allowVar && (node as unknown as { name: string }).name === 'x') return X;
      throw new ParseError(`unknown name "${(node as unknown as { name: string }).name}"`);
    case 'ParenthesisNode':
      return toExpr((node as unknown as { content: MathNode }).content, allowVar);
    case 'OperatorNode': {
      const { fn, args } = node as unknown as { fn: string; args: MathNode[] };
      if (args.length === 2 && OPS[fn]) return bin(OPS[fn], toExpr(args[0], allowVar), toExpr(args[1], allowVar));
      if (args.length === 1 && fn === 'unaryPlus') return toExpr(args[0], allowVar);
      if (args.length === 1 && fn === 'unaryMinus') {
        const inner = toExpr(args[0], allowVar);
        return inner.kind === 'num' ? num(inner.value.neg()) : bin('*', num(-1), inner);
      }
      throw new ParseError(`operator ${fn} is not supported`);
    }
    default:
      throw new ParseError(`${node.type} is not supported`);
  }
}

/**
 * Normalises how people write arithmetic (×, ÷, "3 x 4", $5, 1,200, 20%) to mathjs syntax.
 * With `variable` the letter x is the unknown, otherwise between numbers it means times.
 */
export function normalizeMath(text: string, variable: boolean): string {
  let s = text
    .replace(/[×✕·]/g, '*')
    .replace(/÷/g, '/')
    .replace(/[−–—]/g, '-')
    .replace(/\$/g, '')
    .replace(/(\d),(?=\d{3}\b)/g, '$1')
    .replace(/(\d+(?:\.\d+)?|\.\d+)\s*%/g, '($1/100)');
  if (!variable) s = s.replace(/(\d|\))\s*[xX]\s*(?=[\d(.])/g, '$1 * ');
  return s;
}

/** Deepest parenthesis nesting we parse: mathjs recurses about fifteen frames per level. */
export const MAX_NESTING = 100;

/** Why the parentheses of `src` do not pair up, or null when they do (or nest too deep to matter). */
export function parenthesisProblem(src: string): string | null {
  let depth = 0;
  for (const c of src) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return 'a ")" closes a parenthesis that was never opened';
  }
  return depth > 0 ? `${depth === 1 ? 'a "(" is' : `${depth} "(" are`} never closed` : null;
}

/** Parses one arithmetic expression (no '=') into an exact tree. */
export function parseExpr(text: string, allowVar = false): Expr {
  if (text.length > MAX_EXPRESSION_CHARS) throw new ParseError('too long to check');
  const src = normalizeMath(text, allowVar).trim();
  if (!src) throw new ParseError('empty expression');
  if (!/^[0-9.+\-*/()\sx]*$/.test(src)) throw new ParseError('not arithmetic');
  const parens = parenthesisProblem(src);
  if (parens) throw new ParseError(`the parentheses do not match: ${parens}`);
  let depth = 0;
  for (const c of src) {
    if (c === '(' && ++depth > MAX_NESTING) throw new ParseError('too deeply nested to check');
    if (c === ')') depth--;
  }
  let node: MathNode;
  try {
    node = math.parse(src);
  } catch (e) {
    // A stack overflow (long chains of unary signs) is a RangeError from deep inside mathjs.
    throw new ParseError(e instanceof RangeError ? 'too deeply nested to check' : (e as Error).message);
  }
  try {
    return toExpr(node, allowVar);
  } catch (e) {
    if (e instanceof RangeError) throw new ParseError('too deeply nested to check');
    throw e;
  }
}
