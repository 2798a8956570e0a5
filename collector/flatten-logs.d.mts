/** Types of collector/flatten-logs.mjs for the TypeScript tests that share its reader. */
export declare function parseBatchLine(line: string): { batches: unknown[]; torn: number };
export declare function decodeAnyValue(value: unknown): unknown;
export declare function decodeAttributes(
  list: { key: string; value?: unknown }[] | undefined,
): Record<string, unknown>;
