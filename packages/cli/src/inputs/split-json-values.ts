/**
 * Splits a line holding several JSON values written back to back (`{...}{...}`, as a collector
 * that crashed mid-write leaves two OTLP batches on one line) into one string per value. Braces
 * inside strings do not count. A value cut short ends the list as the last, unbalanced piece.
 */
export function splitJsonValues(text: string): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0 && start !== -1) {
        pieces.push(text.slice(start, i + 1));
        start = -1;
      }
    }
  }
  if (start !== -1) pieces.push(text.slice(start));
  return pieces;
}
