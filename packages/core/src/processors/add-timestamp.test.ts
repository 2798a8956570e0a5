import { ROOT_CONTEXT } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import { createBindings } from "../logger.js";
import type { LogRecord } from "../record.js";
import { createLogCapture } from "../testing.js";
import type { AddTimestampOptions } from "./add-timestamp.js";
import { addTimestamp } from "./add-timestamp.js";

function recordAt(time: number): LogRecord {
  return {
    time,
    level: "info",
    event: "tick",
    logger: undefined,
    context: ROOT_CONTEXT,
    bindings: createBindings({}),
    fields: {},
  };
}

const TIME = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

describe("addTimestamp()", () => {
  it("writes the call's time as ISO-8601 UTC with milliseconds by default", () => {
    const record = addTimestamp()(recordAt(TIME))!;
    expect(record.fields.timestamp).toBe("2026-01-02T03:04:05.678Z");
  });

  it("formats each record's own time, also when consecutive records differ by a millisecond", () => {
    const stamp = addTimestamp();
    const times = [TIME, TIME, TIME + 1, TIME];
    expect(times.map((time) => stamp(recordAt(time))!.fields.timestamp)).toEqual([
      "2026-01-02T03:04:05.678Z",
      "2026-01-02T03:04:05.678Z",
      "2026-01-02T03:04:05.679Z",
      "2026-01-02T03:04:05.678Z",
    ]);
  });

  it("writes unix seconds as a number with fmt: unix, under another key when asked", () => {
    const record = addTimestamp({ fmt: "unix", key: "ts" })(recordAt(TIME))!;
    expect(record.fields).toEqual({ ts: TIME / 1000 });
  });

  it("stamps a logged record with the time of the call, first in the JSON line", () => {
    const capture = createLogCapture();
    const before = Date.now();
    createLogger({ outputs: [capture], processors: [addTimestamp()] }).info("tick", { a: 1 });
    const after = Date.now();
    const entry = capture.entries[0]!;
    expect(Object.keys(entry)[0]).toBe("timestamp");
    expect(entry.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const stamped = Date.parse(entry.timestamp as string);
    expect(stamped).toBeGreaterThanOrEqual(before);
    expect(stamped).toBeLessThanOrEqual(after);
  });

  it("throws at creation on an unknown fmt, naming the option and the accepted values", () => {
    expect(() => addTimestamp({ fmt: "rfc" } as unknown as AddTimestampOptions)).toThrow(
      /addTimestamp\(\{ fmt: "rfc" \}\): expected "iso" or "unix"/,
    );
    expect(() => addTimestamp({ format: "unix" } as unknown as AddTimestampOptions)).toThrow(
      'mlobs: addTimestamp(): unknown option "format": expected one of fmt, key',
    );
  });
});
