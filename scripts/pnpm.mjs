// Runs pnpm at the version pinned in package.json, installing the workspace first when needed,
// so a fresh clone needs only Node.js and npm: `npm run demo`, `npm test`.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const { packageManager } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
// "pnpm@12.4.2", or with corepack's integrity suffix "pnpm@12.4.2+sha512.…": the version alone.
const pinned = packageManager.split("@")[1].split("+")[0];

function pnpmCommand() {
  const found = spawnSync("pnpm", ["--version"], { encoding: "utf8" });
  if (found.status === 0 && found.stdout.trim() === pinned) return ["pnpm"];
  return ["npx", "--yes", `pnpm@${pinned}`];
}

function run(args) {
  const [cmd, ...pre] = pnpmCommand();
  const result = spawnSync(cmd, [...pre, ...args], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync(new URL("../node_modules/.modules.yaml", import.meta.url))) {
  run(["install", "--frozen-lockfile"]);
}
run(process.argv.slice(2));
