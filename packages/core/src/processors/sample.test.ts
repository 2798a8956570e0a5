import { describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import type { Level } from "../levels.js";
import { createLogCapture } from "../testing.js";
import { type SampleOptions, sample } from "./sample.js";

function kept(options: SampleOptions, calls: [Level, number][]): string[] {
  const capture = createLogCapture();
  const log = createLogger({ level: "debug", outputs: [capture], processors: [sample(options)] });
  for (const [level, count] of calls) {
    for (let i = 0; i < count; i++) log.log(level, `${level}_${i}`);
  }
  return capture.entries.map((entry) => entry.event as string);
}

describe("sample()", () => {
  it("keeps 1 debug record in every N, the first included, and every other level", () => {
    expect(
      kept({ every: 3 }, [
        ["debug", 7],
        ["info", 2],
      ]),
    ).toEqual(["debug_0", "debug_3", "debug_6", "info_0", "info_1"]);
  });

  it("samples the given level(s), each with its own counter", () => {
    expect(
      kept({ level: ["info", "warn"], every: 2 }, [
        ["info", 3],
        ["warn", 3],
        ["debug", 2],
        ["error", 1],
      ]),
    ).toEqual(["info_0", "info_2", "warn_0", "warn_2", "debug_0", "debug_1", "error_0"]);
    expect(kept({ level: "info", every: 1 }, [["info", 3]])).toEqual(["info_0", "info_1", "info_2"]);
  });

  it("keeps a rate of records, spread evenly, the first included", () => {
    expect(kept({ rate: 0.25 }, [["debug", 8]])).toEqual(["debug_0", "debug_4"]);
    expect(kept({ rate: 0.1 }, [["debug", 100]])).toHaveLength(10);
    expect(kept({ rate: 0.1 }, [["debug", 21]])).toEqual(["debug_0", "debug_10", "debug_20"]);
    expect(kept({ rate: 0.4 }, [["debug", 10]])).toEqual(["debug_0", "debug_3", "debug_5", "debug_8"]);
    expect(kept({ rate: 1 }, [["debug", 3]])).toHaveLength(3);
  });

  it("throws at creation on invalid options, naming them", () => {
    const invalid = (options: unknown) => () => sample(options as SampleOptions);
    expect(invalid({})).toThrow(/exactly one of the options every and rate/);
    expect(invalid({ every: 2, rate: 0.5 })).toThrow(/exactly one/);
    expect(invalid({ every: 0 })).toThrow(/option every 0: expected an integer >= 1/);
    expect(invalid({ every: 1.5 })).toThrow(/option every 1.5/);
    expect(invalid({ rate: 0 })).toThrow(/option rate 0: expected a number with 0 < rate <= 1/);
    expect(invalid({ rate: 2 })).toThrow(/option rate 2/);
    expect(invalid({ level: "trace", every: 2 })).toThrow(
      /option level "trace": expected one of debug, info/,
    );
    expect(invalid({ level: [], every: 2 })).toThrow(/at least one level/);
    expect(invalid({ every: 2, seed: 1 })).toThrow(/unknown option "seed"/);
    expect(invalid(undefined)).toThrow(/options: expected/);
  });
});
