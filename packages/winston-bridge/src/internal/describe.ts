/** A short description of a thrown value; never throws itself. */
export function describe(thrown: unknown): string {
  try {
    return thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  } catch {
    return "unknown error";
  }
}
