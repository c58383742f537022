/**
 * Buffered writes sit dirty in the page cache until the final fsync, which then writes all of
 * them while nothing else happens. A background fdatasync after every few dozen MiB makes the
 * disk write while the producer (the image decoder) still works, so the final sync finds little
 * left. One sync at a time; its error surfaces from `settle()`.
 */
const EVERY = 32 * 1024 * 1024;

export class EarlyWriteback {
  private unsynced = 0;
  private inFlight: Promise<void> | undefined;
  private error: unknown;

  constructor(
    private readonly datasync: () => Promise<void>,
    private readonly every = EVERY,
  ) {}

  wrote(bytes: number): void {
    this.unsynced += bytes;
    if (this.unsynced < this.every || this.inFlight) return;
    this.unsynced = 0;
    this.inFlight = this.datasync()
      .catch((err: unknown) => {
        this.error ??= err;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
  }

  /** Waits for the sync in flight; throws the first sync error seen. */
  async settle(): Promise<void> {
    await this.inFlight;
    // The caught sync error, passed on as it is (the rule sees the narrowed unknown as `{}`).
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (this.error !== undefined) throw this.error;
  }
}
