/**
 * One log line per cause per window: during an outage every request fails the same way, and a
 * line (or stack) per request buries the one fact an operator needs. Repeats inside the window
 * are counted and reported with the next line for that cause.
 */
export class LogThrottle {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly windowMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The line to write for this cause now, or undefined to stay quiet. */
  line(cause: string, message: string): string | undefined {
    const now = this.now();
    const seen = this.last.get(cause);
    if (seen && now - seen.at < this.windowMs) {
      seen.suppressed++;
      return undefined;
    }
    // Forget causes that stopped happening, so the map stays small whatever the errors say.
    if (this.last.size > 500) {
      for (const [key, value] of this.last) if (now - value.at >= this.windowMs) this.last.delete(key);
    }
    this.last.set(cause, { at: now, suppressed: 0 });
    const windowS = Math.round(this.windowMs / 1000);
    return seen?.suppressed
      ? `${message} (and ${seen.suppressed} more like it in the last ${windowS}+ s)`
      : message;
  }
}
