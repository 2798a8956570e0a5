import { describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import { LEVELS, type Level } from "../levels.js";
import { createLogCapture } from "../testing.js";
import { filterLevel } from "./filter-level.js";

describe("filterLevel()", () => {
  it("drops records below the level and keeps the rest", () => {
    const capture = createLogCapture();
    const log = createLogger({ level: "debug", outputs: [capture], processors: [filterLevel("warn")] });
    for (const level of LEVELS) log.log(level, level);
    expect(capture.entries.map((entry) => entry.event)).toEqual(["warn", "error", "fatal"]);
  });

  it("drops before later processors see the record", () => {
    const capture = createLogCapture();
    const seen: string[] = [];
    const log = createLogger({
      level: "debug",
      outputs: [capture],
      processors: [
        filterLevel("info"),
        (record) => {
          seen.push(record.event);
          return record;
        },
      ],
    });
    log.debug("quiet");
    log.info("loud");
    expect(seen).toEqual(["loud"]);
  });

  it("throws at creation on an unknown level, naming the accepted ones", () => {
    expect(() => filterLevel("warning" as Level)).toThrow(
      'filterLevel("warning"): expected one of debug, info, warn, error, fatal',
    );
  });
});
