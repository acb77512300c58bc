/**
 * The console's components rendered without a browser: a preact vnode tree (what `html` returns)
 * walked into its text, calling function components on the way (hook-free components only).
 * Shared by the console's unit tests.
 *
 * The browser modules are imported by a computed path (`uiModule`): a static import would bring
 * preact's DOM types into the root type-check (they clash with bun's); src/console/ui's own
 * tsconfig checks them.
 */

/** A module of src/console/ui, typed by the caller. */
export async function uiModule<T>(file: string): Promise<T> {
  return (await import(`${import.meta.dir}/../../src/console/ui/${file}`)) as T;
}

interface VNodeLike {
  type: unknown;
  props: Record<string, unknown> & { children?: unknown };
}

function isVNode(x: unknown): x is VNodeLike {
  return typeof x === "object" && x !== null && "type" in x && "props" in x;
}

function expand(node: unknown): unknown {
  if (isVNode(node) && typeof node.type === "function")
    return expand((node.type as (p: unknown) => unknown)(node.props));
  return node;
}

/** The text the node shows, whitespace collapsed. */
export function textOf(node: unknown): string {
  const walk = (n: unknown): string => {
    const x = expand(n);
    if (x === null || x === undefined || typeof x === "boolean") return "";
    if (typeof x === "string" || typeof x === "number") return String(x);
    if (Array.isArray(x)) return x.map(walk).join("");
    if (isVNode(x)) return ` ${walk(x.props.children)} `;
    return "";
  };
  return walk(node).replace(/\s+/g, " ").trim();
}

/** Every element (expanded) whose props satisfy `pred`, in document order. */
export function findAll(node: unknown, pred: (props: Record<string, unknown>, type: unknown) => boolean): VNodeLike[] {
  const out: VNodeLike[] = [];
  const walk = (n: unknown): void => {
    const x = expand(n);
    if (Array.isArray(x)) for (const c of x) walk(c);
    else if (isVNode(x)) {
      if (pred(x.props, x.type)) out.push(x);
      walk(x.props.children);
    }
  };
  walk(node);
  return out;
}
