/**
 * SIGINT/SIGTERM/SIGHUP (a closed ssh session) during an install abort the write and take the
 * failure path (wipe the table, remove a file this run created), instead of killing the process
 * with a half-written disk.
 */
export interface SignalScope {
  signal: AbortSignal;
  dispose(): void;
}

export function trapSignals(): SignalScope {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals) => {
    if (!controller.signal.aborted) controller.abort(name);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      process.off('SIGHUP', handler);
    },
  };
}
