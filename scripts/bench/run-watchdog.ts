/** A hard time bound on a whole run, so a hung server or load generator cannot keep it going forever. */
import { log } from './bench-failure.js';
import type { Settings } from './settings.js';

/** Start-up, every cell with slack, and the raw loops, in milliseconds. */
export function runBudgetMs(settings: Settings): number {
  const targetCount = 1 + settings.symmetric.length; // the HTTP floor and the symmetric operations
  const asymmetricCount = settings.asymmetric.length;
  const groups = settings.rounds * settings.concurrencies.length;
  const cellCount = (groups + 1) * targetCount + (settings.profile ? 1 : 0);
  const asymmetricCellCount = (groups + 1) * asymmetricCount;
  return 240_000 + cellCount * (settings.warmupSeconds + settings.durationSeconds + 40) * 1000 + groups * (settings.durationSeconds + 30) * 1000 +
    asymmetricCellCount * (settings.warmupSeconds + settings.asymDurationSeconds + 40) * 1000 + groups * asymmetricCount * (settings.asymDurationSeconds + 30) * 1000;
}

/** Exits the process with status 2 once the run outlives its budget; clear the returned timer when done. */
export function startRunWatchdog(settings: Settings): NodeJS.Timeout {
  const budgetMs = runBudgetMs(settings);
  const watchdog = setTimeout(() => {
    log(`the run exceeded its time bound of ${Math.round(budgetMs / 1000)} s; giving up.`);
    process.exit(2);
  }, budgetMs);
  watchdog.unref();
  return watchdog;
}
