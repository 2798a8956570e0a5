import { describe, expect, it } from "vitest";
import { createLogger } from "./configure.js";
import { createLogCapture } from "./testing.js";

describe("createLogCapture()", () => {
  it("keeps parsed entries and the records, and clear() forgets them", async () => {
    const capture = createLogCapture();
    const log = createLogger({ outputs: [capture] });
    log.info("model_loaded", { model: "churn-v3" });
    expect(capture.entries).toMatchObject([{ event: "model_loaded", model: "churn-v3", level: "info" }]);
    expect(capture.records[0]!.event).toBe("model_loaded");
    await log.flush();
    await log.shutdown();
    capture.clear();
    expect(capture.entries).toEqual([]);
    expect(capture.records).toEqual([]);
  });
});
