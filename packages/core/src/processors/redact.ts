import {
  activeLimits,
  copyMarkers,
  isErrorDescription,
  isWalked,
  markErrorDescription,
  markWalked,
  type Plain,
  uncount,
  walk,
} from "../encode/walk.js";
import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import { createBindings } from "../logger.js";
import type { Fields, LogRecord, Processor } from "../record.js";
import { KEY } from "../semconv.js";

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
/** Transitions cached per state for keys that no path names (`*`, `**`): bounds memory on wide data. */
const MAX_CACHED_KEYS = 1_000;

type Tree = { [key: string]: Plain } | Plain[];

function fail(message: string): never {
  throw new TypeError(`mlobs: redact(): ${message}`);
}

/**
 * Redacts keys and dotted paths in the call's fields and in the logger-bound fields, before any
 * output sees them. A path starts at the top level (`password`, `user.token`); `*` matches one
 * segment (`headers.*`, `items.*.secret`) and `**` any number of them (`**.password`). Values are
 * replaced with `"[REDACTED]"` (or `replacement`), or removed with `{ remove: true }`. A value a path
 * reaches into is first walked (as every output would write it: getters read once, cycles, Maps,
 * Errors and their causes resolved), and the redacted walk is what every output writes. The
 * caller's objects are never changed. Bound fields are redacted once per logger, not per call.
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
  const memo = new WeakMap<object, Readonly<Fields>>();
  let lastBindings: Readonly<Fields> | undefined;
  let lastRedacted: Readonly<Fields> | undefined;
  return (input: LogRecord) => {
    let record = input;
    try {
      redactor.redactFields(record.fields);
    } catch {
      // Fields an earlier processor froze, sealed or wrapped: redact a copy, or write none at all
      // rather than let a secret through.
      let copy: Fields;
      try {
        copy = { ...record.fields };
        redactor.redactFields(copy);
      } catch {
        copy = { logging_error: "redact(): the fields could not be read" };
      }
      record = { ...record, fields: copy };
    }
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

/** Walks values along the compiled paths. */
class Redactor {
  readonly root: State;
  readonly #states = new Map<string, State>();
  /** The replacement string, or REMOVED. */
  readonly #censor: string | typeof REMOVED;
  /** What a redacted part of a stack trace becomes. */
  readonly #text: string;

  constructor(root: PathNode, censor: string | typeof REMOVED) {
    this.root = stateOf([root], this.#states);
    this.#censor = censor;
    this.#text = censor === REMOVED ? "[REDACTED]" : censor;
  }

  /** Redacts the call's fields in place: the object is fresh per call. */
  redactFields(fields: Fields): void {
    const state = this.root;
    const keys = state.wide ? Object.keys(fields) : state.keys;
    let exceptionBefore: { type: unknown; message: unknown } | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (!state.wide && !Object.hasOwn(fields, key)) continue;
      const next = this.#step(state, key);
      if (next === null) continue;
      if (next.terminal) {
        // A walked value (formatException()'s exception) gives back the counts of its markers.
        if (isWalked(fields[key])) uncount(fields, key);
        if (this.#censor === REMOVED) delete fields[key];
        else fields[key] = this.#censor;
        continue;
      }
      // A value that cannot be read (a hostile Proxy as the fields) is redacted whole: fail closed.
      let value: unknown;
      try {
        value = fields[key];
      } catch {
        fields[key] = this.#text;
        continue;
      }
      if (typeof value !== "object" || value === null) continue;
      // Walked first: what is redacted is the snapshot every output writes (getters read once,
      // back-references copied, causes and Maps resolved), so no route around a path remains.
      const tree = walk(value) as Plain;
      if (typeof tree !== "object" || tree === null) {
        fields[key] = tree;
        continue;
      }
      if (key === KEY.exception && !Array.isArray(tree))
        exceptionBefore = { type: tree.type, message: tree.message };
      const redacted = this.#redact(tree, next);
      fields[key] = redacted === tree ? tree : markWalked(redacted);
    }
    // formatException()'s `error` repeats the exception's type and message ("Type: message").
    if (exceptionBefore !== undefined) {
      const after = fields[KEY.exception] as { type?: unknown; message?: unknown } | undefined;
      if (
        typeof fields[KEY.error] === "string" &&
        fields[KEY.error] === `${exceptionBefore.type}: ${exceptionBefore.message}` &&
        (after?.type !== exceptionBefore.type || after?.message !== exceptionBefore.message)
      ) {
        fields[KEY.error] = `${after?.type ?? this.#text}: ${after?.message ?? this.#text}`;
      }
    }
  }

  redactBindings(bindings: Readonly<Fields>): Readonly<Fields> {
    const redacted = this.#redact(bindings as { [key: string]: Plain }, this.root);
    if (redacted === bindings) return bindings;
    for (const value of Object.values(redacted))
      if (typeof value === "object" && value !== null) markWalked(value);
    return createBindings(redacted as Fields, activeLimits());
  }

  /** The tree with the redactions of `state` applied: a copy along what changed, else `tree` itself. */
  #redact(tree: Tree, state: State): Tree {
    const isArray = Array.isArray(tree);
    const keys = state.wide ? Object.keys(tree) : state.keys;
    let copy: { [key: string]: Plain | typeof REMOVED } | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (!state.wide && !Object.hasOwn(tree, key)) continue;
      const next = this.#step(state, key);
      if (next === null) continue;
      const value = (tree as { [key: string]: Plain })[key];
      let result: Plain | typeof REMOVED;
      if (next.terminal) {
        result = this.#censor;
        uncount(tree, key);
      } else if (typeof value === "object" && value !== null) result = this.#redact(value, next);
      else continue;
      if (result === value) continue;
      // A spread, not Object.assign(): an own `__proto__` key must stay a key.
      if (copy === undefined) {
        copy = (isArray ? tree.slice() : { ...tree }) as { [key: string]: Plain };
        copyMarkers(tree, copy);
      }
      if (result === REMOVED && !isArray) delete copy[key];
      else copy[key] = result;
    }
    if (copy === undefined) return tree;
    if (isArray)
      return (copy as unknown as (Plain | typeof REMOVED)[]).filter((item) => item !== REMOVED) as Plain[];
    if (isErrorDescription(tree)) markErrorDescription(copy);
    this.#scrubStack(tree as { [key: string]: Plain }, copy as { [key: string]: Plain });
    return copy as { [key: string]: Plain };
  }

  /**
   * An Error's description repeats its type and message in the first line of `stacktrace`: when a
   * path redacts either, every occurrence of the old text there goes too.
   */
  #scrubStack(before: { [key: string]: Plain }, after: { [key: string]: Plain }): void {
    let stack = after.stacktrace;
    if (typeof stack !== "string" || stack !== before.stacktrace) return;
    for (const key of ["message", "type"]) {
      const old = before[key];
      if (typeof old === "string" && old !== "" && after[key] !== old)
        stack = stack.split(old).join(this.#text);
    }
    after.stacktrace = stack;
  }

  #step(state: State, key: string): State | null {
    let next = state.next.get(key);
    if (next !== undefined) return next;
    next = transition(state, key, this.#states);
    if (state.next.size < MAX_CACHED_KEYS) state.next.set(key, next);
    return next;
  }
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
