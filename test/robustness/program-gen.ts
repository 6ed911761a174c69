// Random programs for the semantics property test: an exported async `run` whose body declares
// values (plain, destructured, shadowing outer names), nests blocks, loops, catch clauses and
// closures, some of them `'use cache'` / `'use server'` functions, and calls them.
//
// fast-check generates a *plan* (shapes and numbers); `renderProgram` turns it into source that is
// valid by construction: references are resolved modulo the names in scope with the wanted type,
// so every plan (and every shrunk plan) renders to a program that runs without errors. Nothing is
// ever reassigned after a closure is created (captured values are bound when the closure is
// created, which is the documented semantics of directive functions).
import fc from 'fast-check';

type Leaf = 'num' | 'str';
type Shape = 'S1' | 'S2';
type Ty = Leaf | Shape;
/** S1 = { a: num, b: str }; S2 = { n: num, inner: S1 }. */
const FIELDS: Record<Shape, Array<[string, Ty]>> = {
  S1: [
    ['a', 'num'],
    ['b', 'str'],
  ],
  S2: [
    ['n', 'num'],
    ['inner', 'S1'],
  ],
};

export type ExprPlan =
  | { k: 'lit'; n: number; s: string }
  | { k: 'ref'; pick: number; opt: boolean }
  | { k: 'bin'; l: ExprPlan; r: ExprPlan }
  | { k: 'conv'; e: ExprPlan };

type ParamPlan =
  | { k: 'id'; ty: Leaf; shadow: boolean }
  | { k: 'default'; ty: Leaf; e: ExprPlan; shadow: boolean }
  | { k: 'obj'; dflt: ExprPlan }
  | { k: 'arr'; dflt: ExprPlan };

type FnForm = 'arrow' | 'expr' | 'decl' | 'late' | 'method' | 'static';

export type StmtPlan =
  | { k: 'decl'; kind: 'const' | 'let' | 'var'; ty: Ty; e: ExprPlan; shadow: number }
  | { k: 'destructObj'; e: ExprPlan; dflt: ExprPlan; shadow: number }
  | { k: 'destructArr'; e: ExprPlan; dflt: ExprPlan; shadow: number }
  | { k: 'emit'; ty: Ty; e: ExprPlan }
  | { k: 'block'; body: StmtPlan[] }
  | { k: 'loop'; items: ExprPlan[]; body: StmtPlan[] }
  | { k: 'catch'; pattern: boolean; thrown: ExprPlan; body: StmtPlan[] }
  | {
      k: 'fn';
      form: FnForm;
      directive: string | null;
      params: ParamPlan[];
      body: StmtPlan[];
      ret: ExprPlan[];
      args: Array<ExprPlan | null>;
    }
  | { k: 'callPrev'; pick: number; args: Array<ExprPlan | null> };

export interface ProgramPlan {
  runDirective: string | null;
  body: StmtPlan[];
}

// ---------------------------------------------------------------------------------- arbitraries

const exprArb: fc.Arbitrary<ExprPlan> = fc.letrec<{ expr: ExprPlan }>((tie) => ({
  expr: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'expr' },
    fc.record({
      k: fc.constant('lit' as const),
      n: fc.integer({ min: -9, max: 99 }),
      s: fc.constantFrom('a', 'bc', '', 'x y', 'é'),
    }),
    fc.record({ k: fc.constant('ref' as const), pick: fc.nat(60), opt: fc.boolean() }),
    fc.record({ k: fc.constant('ref' as const), pick: fc.nat(60), opt: fc.boolean() }),
    fc.record({ k: fc.constant('bin' as const), l: tie('expr'), r: tie('expr') }),
    fc.record({ k: fc.constant('conv' as const), e: tie('expr') }),
  ),
})).expr;

const leafArb = fc.constantFrom<Leaf>('num', 'str');
const tyArb = fc.constantFrom<Ty>('num', 'str', 'S1', 'S2');

const paramArb: fc.Arbitrary<ParamPlan> = fc.oneof(
  fc.record({ k: fc.constant('id' as const), ty: leafArb, shadow: fc.boolean() }),
  fc.record({ k: fc.constant('default' as const), ty: leafArb, e: exprArb, shadow: fc.boolean() }),
  fc.record({ k: fc.constant('obj' as const), dflt: exprArb }),
  fc.record({ k: fc.constant('arr' as const), dflt: exprArb }),
);

const argsArb = fc.array(fc.option(exprArb, { freq: 3 }), { maxLength: 4 });

const stmtsArb: fc.Arbitrary<StmtPlan[]> = fc.letrec<{ stmt: StmtPlan; stmts: StmtPlan[] }>((tie) => ({
  stmt: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'stmt' },
    fc.record({
      k: fc.constant('decl' as const),
      kind: fc.constantFrom('const' as const, 'let' as const, 'var' as const),
      ty: tyArb,
      e: exprArb,
      shadow: fc.nat(5),
    }),
    fc.record({ k: fc.constant('destructObj' as const), e: exprArb, dflt: exprArb, shadow: fc.nat(5) }),
    fc.record({ k: fc.constant('destructArr' as const), e: exprArb, dflt: exprArb, shadow: fc.nat(5) }),
    fc.record({ k: fc.constant('emit' as const), ty: tyArb, e: exprArb }),
    fc.record({ k: fc.constant('block' as const), body: tie('stmts') }),
    fc.record({
      k: fc.constant('loop' as const),
      items: fc.array(exprArb, { minLength: 1, maxLength: 2 }),
      body: tie('stmts'),
    }),
    fc.record({ k: fc.constant('catch' as const), pattern: fc.boolean(), thrown: exprArb, body: tie('stmts') }),
    fc.record({
      k: fc.constant('fn' as const),
      form: fc.constantFrom<FnForm>('arrow', 'expr', 'decl', 'late', 'method', 'static'),
      directive: fc.constantFrom('use cache', 'use cache', 'use server', 'use cache: remote', null),
      params: fc.array(paramArb, { maxLength: 3 }),
      body: tie('stmts'),
      ret: fc.array(exprArb, { maxLength: 3 }),
      args: argsArb,
    }),
    fc.record({
      k: fc.constant('fn' as const),
      form: fc.constantFrom<FnForm>('arrow', 'decl', 'late'),
      directive: fc.constantFrom('use cache', 'use server'),
      params: fc.array(paramArb, { maxLength: 3 }),
      body: tie('stmts'),
      ret: fc.array(exprArb, { minLength: 1, maxLength: 3 }),
      args: argsArb,
    }),
    fc.record({ k: fc.constant('callPrev' as const), pick: fc.nat(20), args: argsArb }),
  ),
  stmts: fc.array(tie('stmt'), { maxLength: 5 }),
})).stmts;

export const programArb: fc.Arbitrary<ProgramPlan> = fc.record({
  runDirective: fc.constantFrom(null, null, 'use cache'),
  body: fc.array(stmtsArb, { minLength: 1, maxLength: 3 }).map((lists) => lists.flat()),
});

/** Arguments of `run(p0: num, p1: str, { a, b = 'dflt' }: S1 = ..., p4: S1 = MO)`. */
const s1Arb = fc.record({ a: fc.integer({ min: -1000, max: 1000 }), b: fc.string({ maxLength: 6 }) });
export const runArgsArb = fc.tuple(
  fc.integer({ min: -1000, max: 1000 }),
  fc.string({ maxLength: 8 }),
  fc.option(s1Arb, { nil: undefined }),
  fc.option(s1Arb, { nil: undefined }),
);

// ---------------------------------------------------------------------------------- rendering

interface Fn {
  /** How to call it: `f`, `f.m`. */
  callee: string;
  params: ParamPlan[];
}
interface Var {
  name: string;
  ty: Ty | 'fn';
  fn?: Fn;
}

const POOL = ['a', 'b', 'c', 'x'];

class Renderer {
  private counter = 0;
  private fresh(prefix: string) {
    return `${prefix}${this.counter++}`;
  }

  /** Visible variables, innermost last; a later entry hides an earlier one with the same name. */
  private visible(scope: Var[]): Var[] {
    const byName = new Map<string, Var>();
    for (const v of scope) {
      byName.delete(v.name);
      byName.set(v.name, v);
    }
    return [...byName.values()];
  }

  /** Every `name.path` with the wanted type. */
  private candidates(scope: Var[], want: Ty): string[][] {
    const out: string[][] = [];
    const walk = (path: string[], ty: Ty) => {
      if (ty === want) out.push(path);
      if (ty === 'S1' || ty === 'S2') for (const [field, fty] of FIELDS[ty]) walk([...path, field], fty);
    };
    for (const v of this.visible(scope)) if (v.ty !== 'fn') walk([v.name], v.ty);
    return out;
  }

  expr(plan: ExprPlan, want: Ty, scope: Var[]): string {
    if (want === 'S1' || want === 'S2') {
      if (plan.k === 'ref') {
        const found = this.candidates(scope, want);
        if (found.length > 0) return this.path(found[plan.pick % found.length]!, plan.opt);
      }
      const sub = plan.k === 'bin' ? [plan.l, plan.r] : plan.k === 'conv' ? [plan.e, plan.e] : [plan, plan];
      return `{ ${FIELDS[want].map(([field, ty], i) => `${field}: ${this.expr(sub[i]!, ty, scope)}`).join(', ')} }`;
    }
    switch (plan.k) {
      case 'lit':
        return want === 'num' ? String(plan.n) : JSON.stringify(plan.s);
      case 'ref': {
        const found = this.candidates(scope, want);
        if (found.length === 0) return want === 'num' ? String(plan.pick) : JSON.stringify(`s${plan.pick}`);
        return this.path(found[plan.pick % found.length]!, plan.opt);
      }
      case 'bin':
        return want === 'num'
          ? `(${this.expr(plan.l, 'num', scope)} - ${this.expr(plan.r, 'num', scope)})`
          : `(${this.expr(plan.l, 'str', scope)} + ${this.expr(plan.r, 'num', scope)})`;
      case 'conv':
        return want === 'num'
          ? `${this.expr(plan.e, 'str', scope)}.length`
          : `\`<\${${this.expr(plan.e, 'num', scope)}}>\``;
    }
  }

  private path(path: string[], optional: boolean): string {
    return path.map((part, i) => (i === 0 ? part : optional && i === 1 ? `?.${part}` : `.${part}`)).join('');
  }

  /** Names a statement declares in its block (chosen before the block is rendered: TDZ). */
  private declare(plan: StmtPlan, taken: Set<string>): string[] {
    const pick = (shadow: number, allowShadow: boolean) => {
      const candidate = POOL[shadow % POOL.length]!;
      const name = allowShadow && shadow < POOL.length && !taken.has(candidate) ? candidate : this.fresh('v');
      taken.add(name);
      return name;
    };
    switch (plan.k) {
      case 'decl':
        return [pick(plan.shadow, plan.kind !== 'var')];
      case 'destructObj':
      case 'destructArr':
        return [pick(plan.shadow, true), pick(plan.shadow + 1, true)];
      case 'fn': {
        const name = this.fresh('f');
        taken.add(name);
        return [name];
      }
      default:
        return [];
    }
  }

  /**
   * A block: names declared anywhere in it hide the outer ones from its start (TDZ), and become
   * usable after their declaration. `reserved`: names that may not be redeclared (parameters).
   */
  block(plans: StmtPlan[], scope: Var[], out: string, reserved: Set<string>): string[] {
    const taken = new Set(reserved);
    const names = plans.map((plan) => this.declare(plan, taken));
    const hidden = new Set(names.flat());
    let inner = scope.filter((v) => !hidden.has(v.name));
    const lines: string[] = [];
    plans.forEach((plan, i) => {
      const { code, vars } = this.statement(plan, inner, names[i]!, out);
      lines.push(code);
      inner = [...inner, ...vars];
    });
    return lines;
  }

  private statement(plan: StmtPlan, scope: Var[], names: string[], out: string): { code: string; vars: Var[] } {
    switch (plan.k) {
      case 'decl':
        return {
          code: `${plan.kind} ${names[0]} = ${this.expr(plan.e, plan.ty, scope)};`,
          vars: [{ name: names[0]!, ty: plan.ty }],
        };
      case 'destructObj': {
        const [n1, n2] = names;
        const code = `const { n: ${n1}, inner: { b: ${n2} = ${this.expr(plan.dflt, 'str', scope)} } = { a: 0 } } = ${this.expr(plan.e, 'S2', scope)};`;
        return {
          code,
          vars: [
            { name: n1!, ty: 'num' },
            { name: n2!, ty: 'str' },
          ],
        };
      }
      case 'destructArr': {
        const [n1, n2] = names;
        const code = `const [${n1}, ${n2} = ${this.expr(plan.dflt, 'num', scope)}] = [${this.expr(plan.e, 'num', scope)}];`;
        return {
          code,
          vars: [
            { name: n1!, ty: 'num' },
            { name: n2!, ty: 'num' },
          ],
        };
      }
      case 'emit':
        return { code: `${out}.push(${this.expr(plan.e, plan.ty, scope)});`, vars: [] };
      case 'block':
        return { code: `{\n${this.block(plan.body, scope, out, new Set()).join('\n')}\n}`, vars: [] };
      case 'loop': {
        const item = this.fresh('i');
        const items = plan.items.map((e) => this.expr(e, 'num', scope)).join(', ');
        const body = this.block(plan.body, [...scope, { name: item, ty: 'num' }], out, new Set([item]));
        return { code: `for (const ${item} of [${items}]) {\n${body.join('\n')}\n}`, vars: [] };
      }
      case 'catch': {
        const name = this.fresh('e');
        const binding = plan.pattern ? `{ a: ${name} }` : name;
        const vars: Var[] = [{ name, ty: plan.pattern ? 'num' : 'S1' }];
        const body = this.block(plan.body, [...scope, ...vars], out, new Set([name]));
        return {
          code: `try {\n throw ${this.expr(plan.thrown, 'S1', scope)};\n} catch (${binding}) {\n${body.join('\n')}\n}`,
          vars: [],
        };
      }
      case 'fn':
        return this.fn(plan, scope, names[0]!, out);
      case 'callPrev': {
        const fns = this.visible(scope).filter((v) => v.fn);
        if (fns.length === 0) return { code: `${out}.push(${plan.pick});`, vars: [] };
        const { fn } = fns[plan.pick % fns.length]!;
        return { code: `${out}.push(await ${fn!.callee}(${this.args(fn!.params, plan.args, scope)}));`, vars: [] };
      }
    }
  }

  private args(params: ParamPlan[], plans: Array<ExprPlan | null>, scope: Var[]): string {
    return params
      .map((param, i) => {
        const plan = plans[i] ?? null;
        const optional = param.k !== 'id';
        if (plan === null && optional) return 'undefined';
        const e = plan ?? { k: 'lit', n: i, s: `arg${i}` };
        if (param.k === 'obj') return this.expr(e, 'S1', scope);
        if (param.k === 'arr') return `[${this.expr(e, 'num', scope)}]`;
        return this.expr(e, param.ty, scope);
      })
      .join(', ');
  }

  /**
   * Parameters, left to right: each default sees the outer scope and the earlier parameters; the
   * names of all parameters hide outer names in every default (a later one is in its TDZ).
   */
  private params(plans: ParamPlan[], scope: Var[]): { code: string; vars: Var[] } {
    const used = new Set<string>();
    const name = (shadow: boolean) => {
      const candidate = POOL.find((n) => !used.has(n) && scope.some((v) => v.name === n));
      const chosen = shadow && candidate ? candidate : this.fresh('p');
      used.add(chosen);
      return chosen;
    };
    const named = plans.map((plan) =>
      plan.k === 'id' || plan.k === 'default'
        ? { plan, names: [name(plan.shadow)] }
        : { plan, names: [name(false), name(false)] },
    );
    const outer = scope.filter((v) => !used.has(v.name));
    const vars: Var[] = [];
    const parts = named.map(({ plan, names }) => {
      const seen = [...outer, ...vars];
      const [n1, n2] = names as [string, string];
      switch (plan.k) {
        case 'id':
          vars.push({ name: n1, ty: plan.ty });
          return n1;
        case 'default': {
          const code = `${n1} = ${this.expr(plan.e, plan.ty, seen)}`;
          vars.push({ name: n1, ty: plan.ty });
          return code;
        }
        case 'obj':
          vars.push({ name: n1, ty: 'num' }, { name: n2, ty: 'str' });
          return `{ a: ${n1}, b: ${n2} = ${this.expr(plan.dflt, 'str', seen)} } = ${this.expr(plan.dflt, 'S1', seen)}`;
        case 'arr':
          vars.push({ name: n1, ty: 'num' }, { name: n2, ty: 'num' });
          return `[${n1}, ${n2} = ${this.expr(plan.dflt, 'num', seen)}] = [${this.expr(plan.dflt, 'num', seen)}]`;
      }
    });
    return { code: parts.join(', '), vars };
  }

  private fn(plan: Extract<StmtPlan, { k: 'fn' }>, scope: Var[], name: string, out: string) {
    // A hoisted declaration called before its line sees what is initialised at the call: the
    // scope at this point. Its own name and other functions stay out of its body (no recursion).
    const bodyScope = scope.filter((v) => !v.fn || plan.form !== 'late');
    const { code: params, vars: paramVars } = this.params(plan.params, bodyScope);
    const local = this.fresh('$o');
    const inner = [...bodyScope, ...paramVars];
    // The returned values are emitted last, so they see the body's top-level declarations.
    const rets = plan.ret.map((e, i): StmtPlan => ({ k: 'emit', ty: (['num', 'str', 'S1'] as const)[i % 3]!, e }));
    const lines = this.block([...plan.body, ...rets], inner, local, new Set([...paramVars.map((v) => v.name), local]));
    const directive = plan.directive ? `${JSON.stringify(plan.directive)};\n` : '';
    const body = `{\n${directive}const ${local} = [];\n${lines.join('\n')}\nreturn ${local};\n}`;
    const callee = plan.form === 'method' || plan.form === 'static' ? `${name}.m` : name;
    const call = `${out}.push(await ${callee}(${this.args(plan.params, plan.args, scope)}));`;
    const fn: Fn = { callee, params: plan.params };
    switch (plan.form) {
      case 'arrow':
        return {
          code: `const ${name} = async (${params}) => ${body};\n${call}`,
          vars: [{ name, ty: 'fn' as const, fn }],
        };
      case 'expr':
        return {
          code: `const ${name} = async function ${name}_inner(${params}) ${body};\n${call}`,
          vars: [{ name, ty: 'fn' as const, fn }],
        };
      case 'decl':
        return { code: `async function ${name}(${params}) ${body}\n${call}`, vars: [{ name, ty: 'fn' as const, fn }] };
      case 'late':
        return { code: `${call}\nasync function ${name}(${params}) ${body}`, vars: [] };
      case 'method':
        return {
          code: `const ${name} = {\n async m(${params}) ${body}\n};\n${call}`,
          vars: [{ name, ty: 'fn' as const, fn }],
        };
      case 'static':
        return {
          code: `class ${name} {\n static async m(${params}) ${body}\n}\n${call}`,
          vars: [{ name, ty: 'fn' as const, fn }],
        };
    }
  }

  program(plan: ProgramPlan): string {
    const moduleScope: Var[] = [
      { name: 'M1', ty: 'num' },
      { name: 'MS', ty: 'str' },
      { name: 'MO', ty: 'S1' },
    ];
    const params: Var[] = [
      { name: 'p0', ty: 'num' },
      { name: 'p1', ty: 'str' },
      { name: 'a', ty: 'num' },
      { name: 'b', ty: 'str' },
      { name: 'p4', ty: 'S1' },
    ];
    const lines = this.block(
      plan.body,
      [...moduleScope, ...params],
      '$out',
      new Set([...params.map((p) => p.name), '$out']),
    );
    const directive = plan.runDirective ? `${JSON.stringify(plan.runDirective)};\n` : '';
    return [
      'const M1 = 7;',
      "const MS = 'module';",
      "const MO = { a: 3, b: 'mo' };",
      `export async function run(p0, p1, { a, b = 'dflt' } = { a: -1, b: 'none' }, p4 = MO) {`,
      `${directive}const $out = [];`,
      ...lines,
      'return $out;',
      '}',
      '',
    ].join('\n');
  }
}

export function renderProgram(plan: ProgramPlan): string {
  return new Renderer().program(plan);
}
