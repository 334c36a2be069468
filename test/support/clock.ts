/** Creates a clock for the `clock` option that moves only when the test advances it, starting on a whole second. */
export function manualClock(startMs = Date.UTC(2025, 0, 1, 12, 0, 0)) {
  let nowMs = startMs;
  return {
    now: (): number => nowMs,
    advance: (ms: number): void => {
      nowMs += ms;
    },
  };
}
