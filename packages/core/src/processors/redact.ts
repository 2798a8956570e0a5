import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import { createBindings } from "../logger.js";
import type { Bindings, Fields, LogRecord, Processor } from "../record.js";

/** Options of `redact()`. */
export interface RedactOptions {
  /** What a redacted value is replaced with. Default: `"[REDACTED]"`. */
  replacement?: string;
  /** Remove redacted keys (and array items) instead of replacing their values. */
  remove?: boolean;
}

/** One position in the compiled paths; a path's last segment marks its node `terminal`. */
interface PathNode {
  readonly children: Map<string, PathNode>;
  star: PathNode | undefined;
  globstar: PathNode | undefined;
  /** Reached through `**`: it matches any key and stays where it is. */
  readonly loop: boolean;
  terminal: boolean;
  readonly id: number;
}

/**
 * A set of path nodes a value has reached (a DFA state, built lazily and shared): computed once per
 * distinct set, so a call only looks up keys.
 */
interface State {
  readonly nodes: readonly PathNode[];
  /** A path ends here: the value is redacted. */
  readonly terminal: boolean;
  /** `*` or `**` is among the nodes: every key of the value must be looked at. */
  readonly wide: boolean;
  /** The keys the nodes name explicitly. */
  readonly keys: readonly string[];
  readonly next: Map<string, State | null>;
}

const OPTION_NAMES = ["replacement", "remove"];
const REMOVED = Symbol("removed");
const UNCHANGED = Symbol("unchanged");
/**
 * Nesting beyond this is not walked, so the stack cannot overflow; what a path could still reach
 * there is redacted whole. The encoder cuts far earlier by default (maxDepth 10).
 */
const MAX_WALK_DEPTH = 64;
/** Transitions cached per state for keys that no path names (`*`, `**`): bounds memory on wide data. */
const MAX_CACHED_KEYS = 1_000;

function fail(message: string): never {
  throw new TypeError(`mlobs: redact(): ${message}`);
}

/**
 * Redacts keys and dotted paths in the call's fields and in the logger-bound fields, before any
 * output sees them. A path starts at the top level (`password`, `user.token`); `*` matches one
 * segment (`headers.*`, `items.*.secret`) and `**` any number of them (`**.password`). Values are
 * replaced with `"[REDACTED]"` (or `replacement`), or removed with `{ remove: true }`. The caller's
 * objects are never changed: what lies on a redacted path is copied. Bound fields are redacted once
 * per logger, not per call.
 * @example
 * createLogger({ processors: [...defaultProcessors(), redact(["password", "headers.authorization", "**.api_key"])] });
 */
export function redact(paths: readonly string[], options: RedactOptions = {}): Processor {
  const root = compile(paths);
  checkOptions(options);
  const redactor = new Redactor(
    root,
    options.remove === true ? REMOVED : (options.replacement ?? "[REDACTED]"),
  );
  const memo = new WeakMap<Bindings, Bindings>();
  let lastBindings: Bindings | undefined;
  let lastRedacted: Bindings | undefined;
  return (record: LogRecord) => {
    redactor.walk(record.fields, redactor.root, 0, [], true);
    const bindings = record.bindings;
    if (bindings !== lastBindings) {
      let redacted = memo.get(bindings);
      if (redacted === undefined) {
        redacted = redactor.redactBindings(bindings);
        memo.set(bindings, redacted);
      }
      lastBindings = bindings;
      lastRedacted = redacted;
    }
    return lastRedacted === bindings ? record : { ...record, bindings: lastRedacted! };
  };
}

/** Walks values along the compiled paths, copying what it changes. */
class Redactor {
  readonly root: State;
  readonly #states = new Map<string, State>();
  /** The replacement string, or REMOVED. */
  readonly #censor: unknown;

  constructor(root: PathNode, censor: unknown) {
    this.root = stateOf([root], this.#states);
    this.#censor = censor;
  }

  redactBindings(bindings: Bindings): Bindings {
    const values = this.walk(bindings.values, this.root, 0, [], false);
    return values === bindings.values ? bindings : createBindings(values);
  }

  /**
   * Redacts inside `container` (reached in `state`) and returns it unchanged when nothing matched,
   * else a copy with the redactions. The top-level fields object is fresh per call, so it is changed
   * in place (`inPlace`).
   */
  walk<T extends object>(
    container: T,
    state: State,
    depth: number,
    ancestors: object[],
    inPlace: boolean,
  ): T {
    if (container instanceof Map) return this.#walkMap(container, state, depth, ancestors) as T;
    const isArray = Array.isArray(container);
    const keys = state.wide ? Object.keys(container) : state.keys;
    let copy: Fields | undefined = inPlace ? (container as Fields) : undefined;
    let removedItems = false;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (!state.wide && !Object.hasOwn(container, key)) continue;
      const next = this.#step(state, key);
      if (next === null) continue;
      let result: unknown;
      if (depth === 0) {
        // A value that cannot be read or walked (a throwing getter, a hostile Proxy) is redacted
        // whole: failing closed is the only safe answer for a redaction.
        try {
          result = this.#redactValue((container as Fields)[key], next, depth, ancestors, container);
        } catch {
          ancestors.length = 0;
          result = this.#censor;
        }
      } else {
        result = this.#redactValue((container as Fields)[key], next, depth, ancestors, container);
      }
      if (result === UNCHANGED) continue;
      copy ??= isArray ? ((container as unknown[]).slice() as unknown as Fields) : copyObject(container);
      if (result === REMOVED && !isArray) delete copy[key];
      else {
        if (result === REMOVED) removedItems = true;
        copy[key] = result;
      }
    }
    if (removedItems) return (copy as unknown as unknown[]).filter((item) => item !== REMOVED) as T;
    return (copy ?? container) as T;
  }

  #walkMap(
    map: Map<unknown, unknown>,
    state: State,
    depth: number,
    ancestors: object[],
  ): Map<unknown, unknown> {
    let copy: Map<unknown, unknown> | undefined;
    for (const [key, value] of map) {
      const next = this.#step(state, String(key));
      if (next === null) continue;
      const result = this.#redactValue(value, next, depth, ancestors, map);
      if (result === UNCHANGED) continue;
      copy ??= new Map(map);
      if (result === REMOVED) copy.delete(key);
      else copy.set(key, result);
    }
    return copy ?? map;
  }

  /** The value that replaces `value` (reached in `state`), or UNCHANGED. */
  #redactValue(value: unknown, state: State, depth: number, ancestors: object[], parent: object): unknown {
    if (state.terminal) return this.#censor;
    if (!isWalkable(value) || value === parent || ancestors.includes(value)) return UNCHANGED;
    // A path may still match below where the walk stops, and the encoder may go deeper (maxDepth):
    // fail closed.
    if (depth + 1 >= MAX_WALK_DEPTH) return this.#censor;
    ancestors.push(parent);
    const redacted = this.walk(value, state, depth + 1, ancestors, false);
    ancestors.pop();
    return redacted === value ? UNCHANGED : redacted;
  }

  #step(state: State, key: string): State | null {
    let next = state.next.get(key);
    if (next !== undefined) return next;
    next = transition(state, key, this.#states);
    if (state.next.size < MAX_CACHED_KEYS) state.next.set(key, next);
    return next;
  }
}

function copyObject(value: object): Fields {
  // Class instances become plain objects: the encoder writes them by their own keys all the same.
  return Object.assign(Object.getPrototypeOf(value) === null ? Object.create(null) : {}, value);
}

/** Objects whose keys the encoder writes as they are: plain objects, arrays, Maps and class instances. */
function isWalkable(value: unknown): value is object {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value) || value instanceof Map) return true;
  // These are encoded from something else than their own keys (toJSON, name/message/stack, items).
  if (value instanceof Error || value instanceof Set || ArrayBuffer.isView(value)) return false;
  return typeof (value as { toJSON?: unknown }).toJSON !== "function";
}

function newNode(id: number, loop: boolean): PathNode {
  return { children: new Map(), star: undefined, globstar: undefined, loop, terminal: false, id };
}

function compile(paths: readonly string[]): PathNode {
  if (!Array.isArray(paths)) fail(`paths must be an array of strings, got ${describeValue(paths)}`);
  let ids = 0;
  const root = newNode(ids++, false);
  paths.forEach((path: unknown, i) => {
    if (typeof path !== "string" || path === "") {
      fail(`paths[${i}] must be a non-empty string, got ${describeValue(path)}`);
    }
    let node = root;
    for (const segment of path.split(".")) {
      if (segment === "") fail(`paths[${i}] ${JSON.stringify(path)} has an empty segment`);
      if (segment === "**") {
        // `a.**.**` is `a.**`.
        if (!node.loop) node = node.globstar ??= newNode(ids++, true);
      } else if (segment === "*") {
        node = node.star ??= newNode(ids++, false);
      } else if (segment.includes("*")) {
        fail(
          `paths[${i}] ${JSON.stringify(path)}: "*" and "**" must be whole segments, not part of ${JSON.stringify(segment)}`,
        );
      } else {
        let child = node.children.get(segment);
        if (child === undefined) {
          child = newNode(ids++, false);
          node.children.set(segment, child);
        }
        node = child;
      }
    }
    node.terminal = true;
  });
  return root;
}

function checkOptions(options: RedactOptions): void {
  if (typeof options !== "object" || options === null)
    fail(`options must be an object with any of ${OPTION_NAMES.join(", ")}`);
  rejectUnknownOptions("redact()", options, OPTION_NAMES);
  if (options.replacement !== undefined && typeof options.replacement !== "string") {
    fail(`option replacement must be a string, got ${describeValue(options.replacement)}`);
  }
  if (options.remove !== undefined && typeof options.remove !== "boolean") {
    fail(`option remove must be a boolean, got ${describeValue(options.remove)}`);
  }
  if (options.remove === true && options.replacement !== undefined) {
    fail("options replacement and remove exclude each other: give one");
  }
}

function describeValue(value: unknown): string {
  return typeof value === "string"
    ? JSON.stringify(value)
    : Array.isArray(value)
      ? "an array"
      : String(value);
}

/** The node itself and those reachable through `**` without consuming a key (`**` may match nothing). */
function closure(node: PathNode, into: PathNode[]): void {
  if (into.includes(node)) return;
  into.push(node);
  if (node.globstar !== undefined) closure(node.globstar, into);
}

function stateOf(start: readonly PathNode[], states: Map<string, State>): State {
  const nodes: PathNode[] = [];
  for (const node of start) closure(node, nodes);
  nodes.sort((a, b) => a.id - b.id);
  const id = nodes.map((node) => node.id).join(",");
  let state = states.get(id);
  if (state === undefined) {
    const keys = new Set<string>();
    for (const node of nodes) for (const key of node.children.keys()) keys.add(key);
    state = {
      nodes,
      terminal: nodes.some((node) => node.terminal),
      wide: nodes.some((node) => node.loop || node.star !== undefined),
      keys: [...keys],
      next: new Map(),
    };
    states.set(id, state);
  }
  return state;
}

function transition(state: State, key: string, states: Map<string, State>): State | null {
  const reached: PathNode[] = [];
  for (const node of state.nodes) {
    const child = node.children.get(key);
    if (child !== undefined) reached.push(child);
    if (node.star !== undefined) reached.push(node.star);
    if (node.loop) reached.push(node);
  }
  return reached.length === 0 ? null : stateOf(reached, states);
}
