/**
 * Which direction of change is bad for a metric, read from its own conditions: a successCondition such as
 * `result[0] >= 0.9` says higher is good (bad: decrease); `result[0] < 0.05` says lower is good (bad:
 * increase); a failureCondition says the opposite way round. Only comparisons between `result` (or
 * `result[i]`) and a number count; `len(result) > 0` and the like are ignored. No signal, or conflicting
 * signals, give `either`.
 */

import { type Node, parse } from './expr/parser.js';
import type { Direction } from './judge.js';

export function inferDirection(conditions: {
  successCondition?: string;
  failureCondition?: string;
}): Direction {
  const votes = new Set<Direction>();
  const collect = (expression: string | undefined, goodWhen: boolean) => {
    if (!expression) return;
    let ast: Node;
    try {
      ast = parse(expression);
    } catch {
      return;
    }
    walk(ast, goodWhen, votes);
  };
  collect(conditions.successCondition, true);
  collect(conditions.failureCondition, false);
  if (votes.size === 1) return [...votes][0] as Direction;
  return 'either';
}

function isResult(node: Node): boolean {
  if (node.type === 'name') return node.name === 'result';
  if (node.type === 'member') return isResult(node.target);
  return false;
}

function isNumber(node: Node): boolean {
  if (node.type === 'int' || node.type === 'float') return true;
  if (node.type === 'unary') return node.op !== 'not' && isNumber(node.operand);
  return false;
}

/** `positive` is true while the subtree being true means the metric is good. */
function walk(node: Node, positive: boolean, votes: Set<Direction>): void {
  switch (node.type) {
    case 'unary':
      if (node.op === 'not') walk(node.operand, !positive, votes);
      return;
    case 'binary': {
      if (node.op === '&&' || node.op === '||') {
        walk(node.left, positive, votes);
        walk(node.right, positive, votes);
        return;
      }
      if (!['<', '<=', '>', '>='].includes(node.op)) return;
      let greater: boolean;
      if (isResult(node.left) && isNumber(node.right)) greater = node.op === '>' || node.op === '>=';
      else if (isNumber(node.left) && isResult(node.right)) greater = node.op === '<' || node.op === '<=';
      else return;
      // "result is large" is good → a decrease is bad; "result is large" is bad → an increase is bad.
      votes.add(greater === positive ? 'decrease' : 'increase');
      return;
    }
    default:
      return;
  }
}
