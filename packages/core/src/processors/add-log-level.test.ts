import { describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import { LEVELS } from "../levels.js";
import { createLogCapture } from "../testing.js";
import { addLogLevel } from "./add-log-level.js";

describe("addLogLevel()", () => {
  it("writes each level's name under level", () => {
    const capture = createLogCapture();
    const log = createLogger({ level: "debug", outputs: [capture], processors: [addLogLevel()] });
    for (const level of LEVELS) log.log(level, "tick");
    expect(capture.entries.map((entry) => entry.level)).toEqual(["debug", "info", "warn", "error", "fatal"]);
  });

  it("leaves level out when it is not in the chain", () => {
    const capture = createLogCapture();
    createLogger({ outputs: [capture], processors: [] }).info("tick");
    expect(capture.entries[0]).not.toHaveProperty("level");
  });

  it("puts level before event in the JSON line, whatever the call's fields", () => {
    const capture = createLogCapture();
    createLogger({ outputs: [capture], processors: [addLogLevel()] }).warn("slow", { latency_ms: 900 });
    expect(Object.keys(capture.entries[0]!)).toEqual(["level", "event", "latency_ms"]);
  });
});
