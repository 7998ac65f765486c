/**
 * `npm run verify -- --data-dir DIR`: lists every record of a stopped local service's table that
 * fails its integrity check (src/local/verify-data-dir.ts). Exit status 0 when all are authentic,
 * 1 when any fails, 2 when the check could not run.
 */
import { Command } from 'commander';
import { formatVerification, verifyDataDir } from '../src/local/verify-data-dir.js';

const program = new Command('verify')
  .description('Check every record of a stopped local service\'s table under its token\'s integrity key.')
  .requiredOption('--data-dir <dir>', 'the data folder of the local service')
  .action(async (options: { dataDir: string }) => {
    try {
      const result = await verifyDataDir(options.dataDir);
      process.stdout.write(`${formatVerification(result)}\n`);
      process.exitCode = result.failures.length === 0 ? 0 : 1;
    } catch (error) {
      process.stderr.write(`verify: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    }
  });

await program.parseAsync();
