import { getContext } from "@mlobs/core";
import { context } from "@opentelemetry/api";
import { CAPTURED, Captured } from "./internal/captured.js";

const INSTRUMENTED = Symbol.for("mlobs.winston.instrumented");

/** The part of a winston logger `instrument()` needs: every log method ends in `write(info)`. */
export interface WritableLogger {
  write(info: unknown, ...rest: unknown[]): unknown;
}

type Info = Record<PropertyKey, unknown>;

/**
 * Makes a winston logger capture, at each log call, the active OpenTelemetry context and the fields
 * bound with `withContext()`/`bindContext()`, so `correlate()` and `OpenTelemetryTransport` use the
 * caller's trace ids even when winston runs them later (formats run in a stream that defers work
 * under backpressure). Patches this instance only; its children follow. Returns the logger.
 * @example
 * const logger = instrument(winston.createLogger({ format: combine(correlate(), json()), transports }));
 */
export function instrument<T extends WritableLogger>(logger: T): T {
  const target = logger as T & Info;
  if (target[INSTRUMENTED] === true) return logger;
  const write = logger.write;
  // Every winston log method (level methods, log(), child loggers, profile(), the exception
  // handlers) ends in `this.write(info)` before any format or transport runs.
  Object.defineProperty(logger, "write", {
    configurable: true,
    writable: true,
    value: function captureThenWrite(this: unknown, info: unknown, ...rest: unknown[]): unknown {
      if (typeof info === "object" && info !== null) {
        const previous = (info as Info)[CAPTURED];
        if (!(previous instanceof Captured && previous.fixed)) {
          (info as Info)[CAPTURED] = new Captured(context.active(), getContext(), Date.now());
        }
      }
      return write.call(this, info, ...rest);
    },
  });
  Object.defineProperty(logger, INSTRUMENTED, { value: true });
  return logger;
}
