// The hoisted forwarding declaration that stands where a function declaration stood once its body
// moved into a wrapped constant: `f` stays callable before its line (and in import cycles), and
// every call goes through the wrapper.
import type * as t from '@babel/types';
import { withLoc, type CompileContext } from './context.js';

/**
 * `function name() { return target.apply(null, arguments); }`, or with values passed first
 * (captured values, or the encrypted bound argument of an action):
 * `function name() { return target(a, b.c, ...arguments); }`.
 */
export function forwardingDeclaration(
  ctx: CompileContext,
  name: string,
  target: string,
  leading: t.Expression[],
  from: t.Node,
): t.FunctionDeclaration {
  const { t } = ctx;
  const args = t.identifier('arguments');
  const call =
    leading.length === 0
      ? t.callExpression(t.memberExpression(t.identifier(target), t.identifier('apply')), [t.nullLiteral(), args])
      : t.callExpression(t.identifier(target), [...leading, t.spreadElement(args)]);
  return withLoc(t.functionDeclaration(t.identifier(name), [], t.blockStatement([t.returnStatement(call)])), from);
}
