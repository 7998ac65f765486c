/**
 * `npm run bench [-- options]`: throughput and latency of the local service's operations, measured
 * in one run beside two floors on the same machine: a bare node:http server answering a fixed JSON
 * body (the HTTP floor), and the same mechanism through the key material adapter alone (the raw
 * adapter rate: AES-GCM for the symmetric operations; each Sign, Verify and GenerateMac target its own).
 *
 * Load comes from autocannon in a child process replaying pre-signed requests. Every response
 * must be HTTP 200; anything else fails the run. Run with `--help` for the options.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { cacheTtlFromEnv } from '../src/composition/core-deps.js';
import { startLocalService } from '../src/local/local-service.js';
import { ensureSoftHsmToken } from '../src/local/softhsm-token.js';
import { silentLogger } from '../src/pipeline/logger.js';
import { BenchFailure, LoadClient, RequestSigner, startBareServer } from './bench/load.js';
import { machineFacts } from './bench/machine.js';
import { countHttpClientRequests, RawAdapters, runMeasurements, type Settings } from './bench/measure.js';
import { jsonReport, renderReport } from './bench/report.js';
import { benchIdentities, benchUserAccessKey, HTTP_FLOOR, isAsymmetric, selectTargets, TargetRequests, TARGETS, type Target } from './bench/targets.js';

/** Writes one progress line to stderr, so stdout carries only the report. */
const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);

const positive = (integer: boolean) => (raw: string): number => {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new InvalidArgumentError(`must be a positive ${integer ? 'integer' : 'number'}.`);
  }
  return value;
};

const targetList = (raw: string): Target[] => {
  try {
    return selectTargets(raw);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
};

/** Reads the options (and their `BENCH_*` variables) into the settings; prints the usage and exits on `--help`. */
function parseSettings(argv: readonly string[]): Settings {
  const number = (flags: string, description: string, integer = false): Option => new Option(flags, description).argParser(positive(integer));
  const options = new Command('npm run bench --')
    .description('Throughput and latency of the local service beside the HTTP floor and the raw adapter rates, in one run.')
    .addOption(number('--duration <s>', 'measured seconds per HTTP floor and symmetric cell (default 5, 1 with --quick)').env('BENCH_DURATION'))
    .addOption(number('--warmup <s>', 'unmeasured warm-up seconds before each cell (default 1, 0.5 with --quick)').env('BENCH_WARMUP'))
    .addOption(new Option('--concurrency <list>', 'comma-separated connection counts (default 1,32)').env('BENCH_CONCURRENCY')
      .argParser((raw) => raw.split(',').map((part) => positive(true)(part.trim()))))
    .addOption(new Option('--targets <list>', `comma-separated targets (default all): ${TARGETS.map((t) => t.id).join(', ')}, or the groups symmetric, asymmetric, ` +
      'all (encrypt-spread only when named); the HTTP floor always runs').env('BENCH_TARGETS').argParser(targetList))
    .addOption(number('--asym-duration <s>', 'measured seconds per asymmetric/HMAC cell and per raw adapter loop beside it (default 3, 1 with --quick)').env('BENCH_ASYM_DURATION'))
    .addOption(number('--rounds <n>', 'repeat every cell n times, interleaved; medians are reported (default 1)', true))
    .addOption(number('--raw-ops <n>', 'upper bound on operations per raw adapter loop (default 500000, 50000 with --quick)', true))
    .addOption(number('--max-requests <n>', 'upper bound on requests per cell (default 2000000)', true))
    .addOption(number('--signed <n>', 'distinct pre-signed requests per operation (default 64)', true))
    .addOption(number('--spread-keys <n>', 'keys the encrypt-spread target names in turn, one request each, created before the cells (default 5000)', true).env('BENCH_SPREAD_KEYS'))
    .option('--quick', 'smoke run: 1 s cells, 0.5 s warm-up, no profile', false)
    .option('--profile', 'profile the server during one extra Encrypt cell (default on, off with --quick or when encrypt is not among the targets)')
    .option('--no-profile', 'skip the profile')
    .option('--profile-out <path>', 'also save that .cpuprofile')
    .option('--json <path>', 'write all results as JSON')
    .parse(argv, { from: 'user' })
    .opts<{
      duration?: number; warmup?: number; concurrency?: number[]; targets?: Target[]; asymDuration?: number; rounds?: number; rawOps?: number;
      maxRequests?: number; signed?: number; spreadKeys?: number; quick: boolean; profile?: boolean; profileOut?: string; json?: string;
    }>();
  const { quick } = options;
  const targets = options.targets ?? selectTargets('all');
  return {
    durationSeconds: options.duration ?? (quick ? 1 : 5),
    warmupSeconds: options.warmup ?? (quick ? 0.5 : 1),
    concurrencies: options.concurrency ?? [1, 32],
    targets,
    asymDurationSeconds: options.asymDuration ?? (quick ? 1 : 3),
    rounds: options.rounds ?? 1,
    rawOps: options.rawOps ?? (quick ? 50_000 : 500_000),
    maxRequests: options.maxRequests ?? 2_000_000,
    signedCount: options.signed ?? 64,
    spreadKeys: options.spreadKeys ?? 5000,
    quick,
    // The profile is of an Encrypt cell.
    profile: targets.some((t) => t.id === 'encrypt') && (options.profile ?? !quick),
    profileOut: options.profileOut,
    jsonPath: options.json,
  };
}

/** The command that reproduces this run, for the report. */
function commandLine(argv: readonly string[]): string {
  const quoted = argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`));
  if (process.env['npm_lifecycle_event'] === 'bench') return ['npm run bench', ...(quoted.length > 0 ? ['--', ...quoted] : [])].join(' ');
  return ['tsx scripts/bench.ts', ...quoted].join(' ');
}

/** Exits with status 2 once the run outlives start-up plus every cell and raw loop with slack, so a hung server cannot keep it going. */
function startWatchdog(s: Settings): NodeJS.Timeout {
  const groups = s.rounds * s.concurrencies.length;
  const asymmetric = s.targets.filter(isAsymmetric).length;
  const symmetricCells = (groups + 1) * (1 + s.targets.length - asymmetric) + (s.profile ? 1 : 0);
  const seconds = 240 + symmetricCells * (s.warmupSeconds + s.durationSeconds + 40) + groups * (s.durationSeconds + 30)
    + (groups + 1) * asymmetric * (s.warmupSeconds + s.asymDurationSeconds + 40) + groups * asymmetric * (s.asymDurationSeconds + 30);
  const watchdog = setTimeout(() => {
    log(`the run exceeded its time bound of ${Math.round(seconds)} s; giving up.`);
    process.exit(2);
  }, seconds * 1000);
  watchdog.unref();
  return watchdog;
}

async function main(argv: readonly string[]): Promise<number> {
  const settings = parseSettings(argv);
  const command = commandLine(argv);
  const facts = machineFacts();
  const watchdog = startWatchdog(settings);
  // Undo steps for everything started, run newest first, carrying on past ones that fail.
  const cleanups: (() => unknown)[] = [];
  const cleanUp = async (): Promise<void> => {
    for (const step of cleanups.splice(0).reverse()) await Promise.resolve().then(step).catch(() => undefined);
  };
  process.once('SIGINT', () => {
    log('interrupted; cleaning up.');
    void cleanUp().then(() => process.exit(130));
  });
  try {
    const dataDir = await mkdtemp(join(tmpdir(), 'kms-bench-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    log(`starting the local service in ${dataDir} ...`);
    const started = Date.now();
    const benchUser = benchUserAccessKey();
    const service = await startLocalService({ dataDir, port: 0, logger: silentLogger, iamIdentities: { directory: benchIdentities, accessKeys: [benchUser] } });
    cleanups.push(() => service.stop());
    log(`service up at ${service.endpoint} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const floor = await startBareServer();
    cleanups.push(() => floor.stop());
    const load = new LoadClient();
    cleanups.push(() => load.stop());
    const counter = countHttpClientRequests();
    cleanups.push(() => counter.stop());
    const endpoints = { service: service.endpoint, floor: floor.endpoint, root: new RequestSigner(service.endpoint, service.credentials), policyUser: new RequestSigner(service.endpoint, benchUser) };
    const requests = await TargetRequests.prepare(endpoints, [HTTP_FLOOR, ...settings.targets], settings, log);
    const raw = await RawAdapters.open(await ensureSoftHsmToken({ dataDir }), settings.targets);
    cleanups.push(() => raw.close());

    const measured = await runMeasurements({ settings, load, requests, raw, counter, cores: facts.cores, log });
    const results = {
      command, facts, settings, started, measured, recordCheck: await raw.recordCheckLoop(settings.quick ? 0.5 : 2), cacheTtlMs: cacheTtlFromEnv(process.env),
      tokenSupportsSoftwareSpec: settings.targets.some((t) => t.tier === 'software' && raw.tokenSupports(t)),
    };
    console.log(renderReport(results));
    if (settings.jsonPath !== undefined) {
      await writeFile(settings.jsonPath, `${JSON.stringify(jsonReport(results), null, 2)}\n`);
      log(`wrote ${settings.jsonPath}`);
    }
    return 0;
  } catch (error) {
    log(`FAILED: ${error instanceof BenchFailure ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    await cleanUp();
    clearTimeout(watchdog);
  }
}

process.exitCode = await main(process.argv.slice(2));
