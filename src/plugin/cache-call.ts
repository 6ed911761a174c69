// The one call that makes a `'use cache'` function, for inline and file-level functions alike:
// `cacheFunction(id, kind, fn, { params, code })` (docs/runtime-contract.md). The options tell the
// runtime what only the compiler knows about `fn`: how many parameters it declares, and a hash of
// the code its results depend on (code-hash.ts).
import type * as t from '@babel/types';
import { codeHashProperty } from './code-hash.js';
import { runtimeHelper, type CompileContext } from './context.js';

export type CachedFunctionNode = t.FunctionExpression | t.ArrowFunctionExpression;

/**
 * How many arguments a call of `fn` passes to it by position: its declared parameters, defaults
 * and patterns included (`fn.length` stops at the first default), or null when a rest parameter
 * takes every argument. Only these arguments form the key, as in Next.js (which slices
 * `arguments` to the same count), so extra arguments never fragment the cache.
 */
export function declaredParams(fn: CachedFunctionNode): number | null {
  let count = 0;
  for (const param of fn.params) {
    if (param.type === 'RestElement') return null;
    // TypeScript's `this: T` annotation is not a parameter at run time.
    if (param.type === 'Identifier' && param.name === 'this') continue;
    count++;
  }
  return count;
}

/**
 * `cacheFunction("<id>", "<kind>", value, { captured: true, params: 2, code: "<hash>" })`
 * (`captured` when its first parameter receives the captured values). `value` is the function as
 * written (`(async () => {}) satisfies Loader`), `fn` the function in it.
 */
export function cacheFunctionCall(
  ctx: CompileContext,
  id: string,
  kind: string,
  value: t.Expression,
  fn: CachedFunctionNode = value as CachedFunctionNode,
  captured = false,
): t.Expression {
  const { t } = ctx;
  const options: t.ObjectProperty[] = [];
  if (captured) options.push(t.objectProperty(t.identifier('captured'), t.booleanLiteral(true)));
  const params = declaredParams(fn);
  if (params !== null) options.push(t.objectProperty(t.identifier('params'), t.numericLiteral(params)));
  options.push(codeHashProperty(ctx, fn));
  return t.callExpression(runtimeHelper(ctx, 'cacheFunction'), [
    t.stringLiteral(id),
    t.stringLiteral(kind),
    value,
    t.objectExpression(options),
  ]);
}
