import { setImmediate as tick } from "node:timers/promises";
import type { Fields, Level, LogRecord, Output } from "@mlobs/core";
import { toSeverityNumber } from "@mlobs/core/integrations";
import { CAPTURED, Captured } from "./internal/captured.js";
import { severityOf, type WinstonLevels } from "./severity-of.js";

/** The part of a winston logger `winstonOutput()` uses. */
export interface WinstonLoggerLike {
  levels: WinstonLevels;
  log(info: object): unknown;
  end(): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  readonly transports: readonly unknown[];
  readonly writableEnded?: boolean;
  readonly writableFinished?: boolean;
}

/** Options of `winstonOutput()`. */
export interface WinstonOutputOptions {
  /** The winston level for each mlobs level, ahead of the severity-based choice. */
  levels?: Partial<Record<Level, string>>;
  /** How long `flush()` and `shutdown()` wait for winston's transports. Default: 10000 ms. */
  timeoutMillis?: number;
}

const NO_FIELDS: Readonly<Fields> = Object.freeze({});

type Info = Record<PropertyKey, unknown>;
type Stream = { writableLength?: number; readableLength?: number; _stream?: Stream; _dest?: Stream };

/**
 * The winston level for an mlobs level in `levels`: the one of the same name, else the least severe
 * level at least as severe (by `severityOf()`), else the most severe (npm has no `fatal`: `error`).
 */
export function winstonLevelFor(level: Level, levels: WinstonLevels): string {
  if (Object.hasOwn(levels, level)) return level;
  const wanted = toSeverityNumber(level);
  let best: [string, number] | undefined;
  let top: [string, number] | undefined;
  for (const [name, priority] of Object.entries(levels)) {
    const severity = severityOf(name, levels);
    if (severity >= wanted && (best === undefined || severity < best[1])) best = [name, severity];
    if (top === undefined || priority < top[1]) top = [name, priority];
  }
  return best?.[0] ?? top?.[0] ?? level;
}

/**
 * An mlobs output that writes each record into a winston logger, so winston's transports (Console,
 * File, ...) carry structured mlobs records: the event as `message` (and `event`), the logger name,
 * the bound and call fields as meta, the level mapped to the logger's level set. The record's trace
 * context travels with it to `OpenTelemetryTransport`. `shutdown()` ends the winston logger.
 * @example
 * configure({ outputs: [winstonOutput(winston.createLogger({ transports: [console, file] }))] });
 */
export function winstonOutput(logger: WinstonLoggerLike, options: WinstonOutputOptions = {}): Output {
  if (typeof logger?.log !== "function" || typeof logger.levels !== "object") {
    throw new TypeError("mlobs: winstonOutput(logger): expected a winston logger (winston.createLogger())");
  }
  const timeout = options.timeoutMillis ?? 10_000;
  let levelsSeen: WinstonLevels | undefined;
  let levelMap: Partial<Record<Level, string>> = {};
  let ended = false;

  const levelOf = (level: Level): string => {
    if (logger.levels !== levelsSeen) {
      levelsSeen = logger.levels;
      levelMap = { ...options.levels };
    }
    let name = levelMap[level];
    if (name === undefined) {
      name = winstonLevelFor(level, logger.levels);
      levelMap[level] = name;
    }
    return name;
  };

  const idle = (): boolean => {
    const streams = [logger as Stream, ...(logger.transports as Stream[])];
    for (const stream of streams) {
      if ((stream.writableLength ?? 0) > 0 || (stream.readableLength ?? 0) > 0) return false;
      // The File transport writes through a PassThrough into the file stream.
      for (const inner of [stream._stream, stream._dest]) if ((inner?.writableLength ?? 0) > 0) return false;
    }
    return true;
  };

  return {
    write(record: LogRecord): void {
      if (ended) throw new Error("mlobs: winstonOutput: the winston logger was shut down");
      const info: Info = { level: levelOf(record.level), message: record.event };
      const fields = record.fields;
      // The logger has walked the fields and the bound fields (limits, markers): they are plain data.
      if (fields.timestamp !== undefined) info.timestamp = fields.timestamp;
      info.event = record.event;
      if (record.logger !== undefined) info.logger = record.logger;
      const bound = record.bindings;
      for (const key in bound) {
        if (!Object.hasOwn(fields, key)) info[key] = bound[key];
      }
      for (const key in fields) {
        // winston's level is the mapped one; mlobs's own name stays out of the way.
        if (key === "level" || key === "timestamp") continue;
        const value = fields[key];
        if (value !== undefined) info[key] = value;
      }
      // The fields are already merged and redacted by the processors: nothing to add from the context.
      info[CAPTURED] = new Captured(record.context, NO_FIELDS, record.time, true);
      // A throw reaches the mlobs logger, which counts the record as dropped.
      logger.log(info);
    },

    async flush(): Promise<void> {
      const deadline = Date.now() + timeout;
      let quiet = 0;
      while (quiet < 3 && Date.now() < deadline) {
        await tick();
        quiet = idle() ? quiet + 1 : 0;
      }
    },

    async shutdown(): Promise<void> {
      if (ended) return;
      ended = true;
      if (logger.writableFinished === true) return;
      // winston's way to flush: end() the logger, which ends each transport, then wait for 'finish'.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          logger.removeListener("finish", done);
          logger.removeListener("error", done);
          resolve();
        };
        const timer = setTimeout(done, timeout);
        timer.unref();
        logger.once("finish", done);
        logger.once("error", done);
        if (logger.writableEnded !== true) logger.end();
      });
    },
  };
}
