/**
 * `npm run bench [-- options]`: throughput and latency of the local service's hot operations,
 * measured side by side in one run with two floors on the same machine:
 *
 *  - a bare node:http server answering a fixed JSON body (the HTTP floor), and
 *  - AES-GCM encryptions through the PKCS#11 adapter alone (the crypto floor).
 *
 * Load comes from autocannon in a child process replaying pre-signed requests, so the generator
 * neither shares an event loop with the servers nor spends time signing. Every response must be
 * HTTP 200; anything else fails the run. Run with `--help` for the options.
 *
 * A second section measures Sign (RSA, ECDSA, Ed25519), Verify (ECDSA) and GenerateMac (HMAC) the
 * same way, each beside the rate of the same operation through the key material adapter alone.
 */
import { asymmetricReport } from './bench/asymmetric-report.js';
import { summariseAsymmetric } from './bench/asymmetric-results.js';
import { startBenchEnvironment } from './bench/bench-environment.js';
import { BenchFailure, log } from './bench/bench-failure.js';
import { CellRunner } from './bench/cell-runner.js';
import { CleanupStack } from './bench/cleanup-stack.js';
import { writeJsonResults } from './bench/json-output.js';
import { machineFacts } from './bench/machine.js';
import { runMeasurements } from './bench/measurement-rounds.js';
import { profileReport } from './bench/profile-report.js';
import { startRunWatchdog } from './bench/run-watchdog.js';
import { commandLine, parseSettings, type Settings } from './bench/settings.js';
import { summariseSymmetric } from './bench/symmetric-results.js';
import { reportHeading, symmetricReport } from './bench/symmetric-report.js';
import type { Target } from './bench/symmetric-targets.js';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let settings: Settings;
  try {
    settings = parseSettings(argv);
  } catch (error) {
    log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const command = commandLine(argv);
  const facts = machineFacts();
  const targets: readonly Target[] = ['HTTP floor', ...settings.symmetric];
  const watchdog = startRunWatchdog(settings);

  const cleanups = new CleanupStack();
  process.once('SIGINT', () => {
    log('interrupted; cleaning up.');
    void cleanups.run().then(() => process.exit(130));
  });

  try {
    const env = await startBenchEnvironment(settings, cleanups);
    const runner = new CellRunner({
      settings, service: env.service, baseline: env.baseline, load: env.load, counter: env.counter, signer: env.signer,
      keyId: env.keyId, policy: env.policy, ciphertext: env.ciphertext, decryptPlaintext: env.decryptPlaintext, cores: facts.cores, asymmetric: env.asymmetricKms,
      spreadKeyIds: env.spreadKeyIds,
    });
    const measured = await runMeasurements(settings, targets, runner, env.raw, env.rawAsymmetric);

    const recordCheck = await env.raw.recordCheckLoop(settings.quick ? 0.5 : 2);
    const symmetric = summariseSymmetric(settings, targets, measured);
    const asymmetric = summariseAsymmetric(settings, measured, symmetric.summaries);
    console.log([
      ...reportHeading(command, facts, settings, symmetric.ttlMs),
      ...symmetricReport(settings, facts, measured.raws, symmetric),
      ...(measured.profile === undefined ? [] : profileReport(measured.profile)),
      ...asymmetricReport(settings, asymmetric, env.rawAsymmetric),
      '',
      'Record integrity',
      `  checking one key metadata item (canonical encoding, HMAC-SHA256 in the token): ${recordCheck.meanMicros.toFixed(1)} µs (${Math.round(recordCheck.opsPerSecond).toLocaleString('en-US')} checks/s);`,
      '  paid only when a record is read from the table, never by a warm request (see the DynamoDB requests per cell above).',
    ].join('\n'));

    if (settings.jsonPath !== undefined) {
      await writeJsonResults({ path: settings.jsonPath, command, facts, settings, started: env.started, measured, symmetric, asymmetric, recordCheck });
    }
    return 0;
  } catch (error) {
    if (error instanceof BenchFailure) log(`FAILED: ${error.message}`);
    else log(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    await cleanups.run();
    clearTimeout(watchdog);
  }
}

process.exitCode = await main();
