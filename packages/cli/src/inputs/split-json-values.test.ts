import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitJsonValues } from "./split-json-values.js";

describe("splitJsonValues()", () => {
  it("splits objects written back to back, whatever braces and quotes their strings hold", () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { minLength: 1, maxLength: 5 }),
        (objects) => {
          const pieces = splitJsonValues(objects.map((o) => JSON.stringify(o)).join(""));
          expect(pieces.map((p) => JSON.parse(p))).toEqual(objects.map((o) => JSON.parse(JSON.stringify(o))));
        },
      ),
      { seed: 12, numRuns: 300 },
    );
  });

  it("keeps a value cut short as the last, unbalanced piece", () => {
    expect(splitJsonValues('{"a":"}{"}{"b":[1,')).toEqual(['{"a":"}{"}', '{"b":[1,']);
  });
});
