// The nice value for a background worker thread: 10 below the priority it started with (the thread that
// created it: nice is per thread on Linux, and inherited), at most 19 (the lowest). Never an absolute
// value: under a process started at nice 15, "nice 10" would raise the worker above its event loop.
export const NICE_OFFSET = 10;

/** @param {number} current @returns {number} */
export function lowerPriority(current) {
  return Math.min(19, current + NICE_OFFSET);
}
