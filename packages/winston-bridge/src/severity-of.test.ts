import { SeverityNumber as S } from "@opentelemetry/api-logs";
import { describe, expect, it } from "vitest";
import winston from "winston";
import { severityOf } from "./severity-of.js";

const { npm, syslog, cli } = winston.config;

describe("severityOf()", () => {
  it("maps every npm level", () => {
    const expected = {
      error: S.ERROR,
      warn: S.WARN,
      info: S.INFO,
      http: S.DEBUG3,
      verbose: S.DEBUG2,
      debug: S.DEBUG,
      silly: S.TRACE,
    };
    for (const [level, severity] of Object.entries(expected))
      expect(severityOf(level, npm.levels), level).toBe(severity);
    expect(Object.keys(expected).sort()).toEqual(Object.keys(npm.levels).sort());
  });

  it("maps every syslog level", () => {
    const expected = {
      emerg: S.FATAL3,
      alert: S.FATAL2,
      crit: S.FATAL,
      error: S.ERROR,
      warning: S.WARN,
      notice: S.INFO2,
      info: S.INFO,
      debug: S.DEBUG,
    };
    for (const [level, severity] of Object.entries(expected))
      expect(severityOf(level, syslog.levels), level).toBe(severity);
    expect(Object.keys(expected).sort()).toEqual(Object.keys(syslog.levels).sort());
  });

  it("maps every cli level, and cli's verbose below npm's", () => {
    const expected = {
      error: S.ERROR,
      warn: S.WARN,
      help: S.INFO3,
      data: S.INFO2,
      info: S.INFO,
      debug: S.DEBUG,
      prompt: S.TRACE4,
      verbose: S.TRACE3,
      input: S.TRACE2,
      silly: S.TRACE,
    };
    for (const [level, severity] of Object.entries(expected))
      expect(severityOf(level, cli.levels), level).toBe(severity);
    expect(Object.keys(expected).sort()).toEqual(Object.keys(cli.levels).sort());
    expect(severityOf("verbose", npm.levels)).toBe(S.DEBUG2);
  });

  it("maps OpenTelemetry's and mlobs's level names in any level set", () => {
    const levels = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 };
    expect(Object.keys(levels).map((level) => severityOf(level, levels))).toEqual([
      S.FATAL,
      S.ERROR,
      S.WARN,
      S.INFO,
      S.DEBUG,
      S.TRACE,
    ]);
    expect(severityOf("fatal")).toBe(S.FATAL);
    expect(severityOf("critical")).toBe(S.FATAL);
  });

  it("puts the severityMapping option ahead of every table", () => {
    expect(severityOf("info", npm.levels, { info: S.INFO4 })).toBe(S.INFO4);
    expect(severityOf("audit", { audit: 0 }, { audit: S.WARN2 })).toBe(S.WARN2);
  });

  it("gives a custom level the severity of the nearest more severe known level", () => {
    const levels = { error: 0, warn: 1, audit: 2, info: 3, chatty: 4 };
    expect(severityOf("audit", levels)).toBe(S.WARN);
    expect(severityOf("chatty", levels)).toBe(S.INFO);
  });

  it("leaves a level with nothing to go by UNSPECIFIED", () => {
    const levels = { foo: 0, bar: 1 };
    expect(severityOf("foo", levels)).toBe(S.UNSPECIFIED);
    expect(severityOf("bar", levels)).toBe(S.UNSPECIFIED);
    expect(severityOf("nope", npm.levels)).toBe(S.UNSPECIFIED);
    expect(severityOf("toString", {})).toBe(S.UNSPECIFIED);
  });
});
