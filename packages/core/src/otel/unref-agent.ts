import { createRequire } from "node:module";
import { join } from "node:path";

// Built-ins only: any base path resolves them, in the ES module and the CommonJS build alike.
const require = createRequire(join(process.cwd(), "noop.js"));

/**
 * An HTTP(S) agent factory for the OTLP exporters whose sockets never keep the process alive: a
 * service whose main returns starts its shutdown (`beforeExit`) at once instead of after a hanging
 * collector's timeout, and the shutdown's own deadline timer is what holds the process, no longer.
 * The modules are loaded on first use, as the exporters require, so the instrumentation sees them.
 */
export function unrefAgentFactory(protocol: string): import("node:http").Agent {
  const { Agent } = require(protocol === "https:" ? "node:https" : "node:http") as typeof import("node:http");
  class UnrefAgent extends Agent {
    override createConnection(...args: Parameters<import("node:http").Agent["createConnection"]>) {
      const socket = super.createConnection(...args);
      unref(socket);
      return socket;
    }
    // A kept-alive socket is ref'd again by the agent when it is reused.
    override reuseSocket(...args: Parameters<import("node:http").Agent["reuseSocket"]>): void {
      super.reuseSocket(...args);
      unref(args[0]);
    }
  }
  return new UnrefAgent({ keepAlive: true });
}

function unref(socket: unknown): void {
  (socket as { unref?: () => void } | null | undefined)?.unref?.();
}
