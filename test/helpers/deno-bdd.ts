// Deno has no mocha: this shim (injected into the Deno test bundles) maps describe/it/before
// onto Deno.test, so one test corpus runs in Node, Deno and the browser.

type Fn = () => unknown;
interface DenoTest {
  test(def: { name: string; fn: () => Promise<void>; sanitizeOps: boolean; sanitizeResources: boolean }): void;
}

const deno = (globalThis as unknown as { Deno?: DenoTest }).Deno;
if (deno) {
  const path: string[] = [];
  const befores: Fn[][] = [[]];
  const g = globalThis as Record<string, unknown>;
  g.describe = (name: string, body: Fn) => {
    path.push(name);
    befores.push([...befores.at(-1)!]);
    body();
    befores.pop();
    path.pop();
  };
  g.before = (fn: Fn) => {
    let done: Promise<unknown> | null = null;
    befores.at(-1)!.push(() => (done ??= Promise.resolve(fn())));
  };
  g.it = (name: string, fn: Fn) => {
    const hooks = [...befores.at(-1)!];
    deno.test({
      name: [...path, name].join(' › '),
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        for (const h of hooks) await h();
        await fn();
      },
    });
  };
}
export {};
