import type { Fields } from "../record.js";

/** Whether Roomy is still being called to size its objects (at load, below). */
let sizing = true;

/**
 * The record's own fields object: a plain object (prototype Object.prototype) with room for 32 keys
 * in the object itself. Keys set at run time (Object.assign, a processor's `fields[key] =`) fit
 * only 12 keys outside an object's own slots before V8 turns it into a dictionary, and `{}` has 4
 * slots: a call with 12 fields plus the 5 the processors add became a dictionary, on which every
 * for-in and read costs several times more (30 fields took twice as long as pino to log). With 32
 * slots an object stays fast up to 64 keys. V8 sizes a constructor's objects by the `this.x =`
 * assignments it finds in its body and then by what the first objects it made used: the calls at
 * load set all 32, so every later object keeps room for them.
 */
const Roomy = function (this: Record<string, unknown>) {
  if (sizing) {
    this.a0 = this.a1 = this.a2 = this.a3 = this.a4 = this.a5 = this.a6 = this.a7 = undefined;
    this.b0 = this.b1 = this.b2 = this.b3 = this.b4 = this.b5 = this.b6 = this.b7 = undefined;
    this.c0 = this.c1 = this.c2 = this.c3 = this.c4 = this.c5 = this.c6 = this.c7 = undefined;
    this.d0 = this.d1 = this.d2 = this.d3 = this.d4 = this.d5 = this.d6 = this.d7 = undefined;
  }
} as unknown as new () => Fields;
Roomy.prototype = Object.prototype;
for (let i = 0; i < 10; i++) new Roomy();
sizing = false;

/**
 * An empty fields object for a record: a plain object that stays in V8's fast mode up to 64 keys
 * set at run time, where `{}` becomes a dictionary past 16.
 */
export function newFields(): Fields {
  return new Roomy();
}
