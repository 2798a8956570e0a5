import { describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import { createLogCapture } from "../testing.js";
import { type FilterEventsOptions, filterEvents } from "./filter-events.js";

const EVENTS = ["health_check", "cache_hit", "cache_miss", "prediction_complete", "request_received"];

function passed(options: FilterEventsOptions): unknown[] {
  const capture = createLogCapture();
  const log = createLogger({ outputs: [capture], processors: [filterEvents(options)] });
  for (const event of EVENTS) log.info(event);
  return capture.entries.map((entry) => entry.event);
}

describe("filterEvents()", () => {
  it("drops excluded events by exact name or pattern", () => {
    expect(passed({ exclude: ["health_check", /^cache_/] })).toEqual([
      "prediction_complete",
      "request_received",
    ]);
    expect(passed({ exclude: ["health"] })).toEqual(EVENTS);
  });

  it("keeps only included events, minus the excluded ones", () => {
    expect(passed({ include: [/^cache_/, "prediction_complete"] })).toEqual([
      "cache_hit",
      "cache_miss",
      "prediction_complete",
    ]);
    expect(passed({ include: [/^cache_/], exclude: ["cache_hit"] })).toEqual(["cache_miss"]);
    expect(passed({})).toEqual(EVENTS);
  });

  it("matches a global RegExp on every record, not every other one", () => {
    expect(passed({ exclude: [/^cache_/g] })).toEqual([
      "health_check",
      "prediction_complete",
      "request_received",
    ]);
  });

  it("throws at creation on invalid options, naming them", () => {
    expect(() => filterEvents(null as unknown as FilterEventsOptions)).toThrow(/expected an object/);
    expect(() => filterEvents({ drop: ["x"] } as unknown as FilterEventsOptions)).toThrow(
      /unknown option "drop": expected one of include, exclude/,
    );
    expect(() => filterEvents({ include: "x" } as unknown as FilterEventsOptions)).toThrow(
      /\{ include \}.*array/,
    );
    expect(() => filterEvents({ exclude: ["a", 3] } as unknown as FilterEventsOptions)).toThrow(
      /exclude\[1\].*string or a RegExp, got 3/,
    );
  });
});
