// Measures what `npm install @mlobs/core` costs a service: packs the package (pnpm turns `catalog:`
// into versions), installs the tarball alone into a fresh npm project, does the same for
// @opentelemetry/sdk-node alone (the baseline every OpenTelemetry Node service pays), prints both
// sizes and the ratio, and fails when the ratio passes MAX_RATIO or when the install holds two
// versions of any @opentelemetry package. Needs the npm registry.
import { execFileSync } from "node:child_process";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const MAX_RATIO = 1.2;
const root = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "mlobs-install-size-"));

function sh(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
}

/** A fresh npm project in its own folder with `spec` installed alone; returns its node_modules. */
function install(name, spec) {
  const dir = join(work, name);
  sh("mkdir", ["-p", dir]);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `size-${name}`, private: true }));
  sh("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--omit=dev", spec], dir);
  return join(dir, "node_modules");
}

/** Bytes of every file under `dir` (apparent size, as `du --apparent-size -b` counts). */
function size(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += size(path);
    else total += lstatSync(path).size;
  }
  return total;
}

/** name -> versions of every @opentelemetry package installed under `modules`, nested copies included. */
function otelVersions(modules, found = new Map()) {
  for (const scope of readdirSync(modules, { withFileTypes: true })) {
    if (!scope.isDirectory()) continue;
    const names = scope.name.startsWith("@")
      ? readdirSync(join(modules, scope.name)).map((name) => `${scope.name}/${name}`)
      : [scope.name];
    for (const name of names) {
      const dir = join(modules, name);
      let manifest;
      try {
        manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      } catch {
        continue;
      }
      if (name.startsWith("@opentelemetry/")) {
        if (!found.has(name)) found.set(name, new Set());
        found.get(name).add(manifest.version);
      }
      try {
        otelVersions(join(dir, "node_modules"), found);
      } catch {
        // No nested node_modules.
      }
    }
  }
  return found;
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

try {
  const catalog = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
  const sdkVersion = /"@opentelemetry\/sdk-node": (\S+)/.exec(catalog)?.[1];
  if (sdkVersion === undefined) throw new Error("no @opentelemetry/sdk-node in the pnpm catalog");

  // The pnpm that runs this script (`pnpm test`), else the one on PATH.
  // pnpm 12 is a native binary; older ones are a script run by node.
  const self = process.env.npm_execpath;
  const pnpm = !self?.includes("pnpm")
    ? ["pnpm"]
    : /\.[cm]?js$/.test(self)
      ? [process.execPath, self]
      : [self];
  sh(pnpm[0], [...pnpm.slice(1), "--filter", "@mlobs/core", "pack", "--pack-destination", work], root);
  const tarball = readdirSync(work).find((file) => file.endsWith(".tgz"));
  const ours = install("mlobs-core", join(work, tarball));
  const baseline = install("sdk-node", `@opentelemetry/sdk-node@${sdkVersion}`);

  const ourSize = size(ours);
  const baseSize = size(baseline);
  const ratio = ourSize / baseSize;
  console.log(`npm install ${tarball}: ${mb(ourSize)}`);
  console.log(`npm install @opentelemetry/sdk-node@${sdkVersion}: ${mb(baseSize)}`);
  console.log(`ratio: ${ratio.toFixed(3)} (at most ${MAX_RATIO})`);

  const duplicated = [...otelVersions(ours)].filter(([, versions]) => versions.size > 1);
  for (const [name, versions] of duplicated)
    console.error(`two versions of ${name}: ${[...versions].join(", ")}`);
  const failures = [];
  if (ratio > MAX_RATIO) failures.push(`the install is ${ratio.toFixed(2)}x sdk-node's, over ${MAX_RATIO}x`);
  if (duplicated.length > 0)
    failures.push(`${duplicated.length} @opentelemetry packages installed in two versions`);
  if (failures.length > 0) {
    console.error(`install-size: ${failures.join("; ")}`);
    process.exitCode = 1;
  } else {
    console.log(`install-size: one version of each of ${otelVersions(ours).size} @opentelemetry packages`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
