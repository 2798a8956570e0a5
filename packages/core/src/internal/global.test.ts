import { execFile } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const esm = pathToFileURL(fileURLToPath(new URL("../../dist/index.js", import.meta.url))).href;
const cjs = fileURLToPath(new URL("../../dist/index.cjs", import.meta.url));

describe("shared(): one state for the ES module and CommonJS builds", () => {
  it("binds context in one build and logs it from the other, and configure() carries across", async () => {
    // An application that imports the package while a dependency requires it gets both builds.
    const script = `
      import { createRequire } from "node:module";
      const esm = await import(${JSON.stringify(esm)});
      const cjs = createRequire(import.meta.url)(${JSON.stringify(cjs)});
      if (esm.getLogger === cjs.getLogger) throw new Error("one build loaded twice, not both");
      const capture = esm.createLogCapture();
      cjs.configure({ outputs: [capture] });
      esm.withContext({ request_id: "r-1" }, () => cjs.getLogger().info("from_cjs"));
      cjs.withContext({ request_id: "r-2" }, () => esm.getLogger().info("from_esm"));
      esm.getLogger().info("unbound");
      process.stdout.write(JSON.stringify(capture.entries.map(({ event, request_id }) => ({ event, request_id }))));
    `;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script]);
    expect(JSON.parse(stdout)).toEqual([
      { event: "from_cjs", request_id: "r-1" },
      { event: "from_esm", request_id: "r-2" },
      { event: "unbound" },
    ]);
  });
});
