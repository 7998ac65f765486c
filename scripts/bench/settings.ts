/** The benchmark's command-line options and environment variables, read into its settings. */
import { parseArgs } from 'node:util';
import { ASYMMETRIC_TARGET_IDS, ASYMMETRIC_TARGETS, type AsymmetricTarget, type AsymmetricTargetId } from './asymmetric-targets.js';
import { BenchFailure } from './bench-failure.js';
import { KMS_OPERATIONS, SYMMETRIC_TARGET_IDS, type KmsOperation } from './symmetric-targets.js';

const USAGE = `Usage: npm run bench -- [options]

  --duration <s>       measured seconds per HTTP floor and symmetric cell (default 5; env BENCH_DURATION)
  --warmup <s>         unmeasured warm-up seconds before each cell (default 1; env BENCH_WARMUP)
  --concurrency <list> comma-separated connection counts (default 1,32; env BENCH_CONCURRENCY)
  --targets <list>     comma-separated targets (default all; env BENCH_TARGETS):
                         encrypt, encrypt-policies, encrypt-spread, decrypt,
                         generate-data-key                              (symmetric section)
                         sign-rsa, sign-ecdsa, sign-ed25519, verify-ecdsa, mac-hmac
                                                                        (asymmetric and HMAC section)
                       or the groups symmetric, asymmetric, all (encrypt-spread only when named);
                       the HTTP floor always runs
  --asym-duration <s>  measured seconds per asymmetric/HMAC cell and per raw adapter loop
                       beside it (default 3, 1 with --quick; env BENCH_ASYM_DURATION)
  --rounds <n>         repeat every cell n times, interleaved; medians are reported (default 1)
  --raw-ops <n>        upper bound on operations per raw adapter loop (default 500000, 50000 with --quick)
  --max-requests <n>   upper bound on requests per cell (default 2000000)
  --signed <n>         distinct pre-signed requests per operation (default 64)
  --spread-keys <n>    keys the encrypt-spread target names in turn, one request each, all
                       created before the cells (default 5000; env BENCH_SPREAD_KEYS)
  --quick              smoke run: 1 s cells, 0.5 s warm-up, no profile
  --profile            profile the server during one extra Encrypt cell (default on, off with --quick
                       or when encrypt is not among the targets)
  --no-profile         skip the profile
  --profile-out <path> also save that .cpuprofile
  --json <path>        write all results as JSON
  --help               this text`;

export interface Settings {
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly concurrencies: readonly number[];
  /** Selected symmetric operations, in the order of the report. */
  readonly symmetric: readonly KmsOperation[];
  /** Selected asymmetric and HMAC targets, in the order of the report. */
  readonly asymmetric: readonly AsymmetricTarget[];
  readonly asymDurationSeconds: number;
  readonly rounds: number;
  readonly rawOps: number;
  readonly maxRequests: number;
  readonly signedCount: number;
  readonly spreadKeys: number;
  readonly quick: boolean;
  readonly profile: boolean;
  readonly profileOut: string | undefined;
  readonly jsonPath: string | undefined;
}

function positiveNumber(name: string, raw: string | undefined, fallback: number, integer = false): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new BenchFailure(`${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}".`);
  }
  return value;
}

/** Reads `--targets` into the selected symmetric and asymmetric targets, in the order of the report. */
function parseTargets(text: string): { symmetric: KmsOperation[]; asymmetric: AsymmetricTarget[] } {
  const symmetric = new Set<KmsOperation>();
  const asymmetric = new Set<AsymmetricTargetId>();
  for (const raw of text.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    const operation = SYMMETRIC_TARGET_IDS[name];
    // Encrypt spread creates --spread-keys keys first, so it runs only when named.
    if (name === 'all' || name === 'symmetric') for (const op of KMS_OPERATIONS) if (op !== 'Encrypt spread') symmetric.add(op);
    if (name === 'all' || name === 'asymmetric') for (const id of ASYMMETRIC_TARGET_IDS) asymmetric.add(id);
    if (name === 'all' || name === 'symmetric' || name === 'asymmetric') continue;
    if (operation !== undefined) symmetric.add(operation);
    else if ((ASYMMETRIC_TARGET_IDS as readonly string[]).includes(name)) asymmetric.add(name as AsymmetricTargetId);
    else {
      throw new BenchFailure(`--targets: unknown target "${raw.trim()}"; expected ${[...Object.keys(SYMMETRIC_TARGET_IDS), ...ASYMMETRIC_TARGET_IDS, 'symmetric', 'asymmetric', 'all'].join(', ')}.`);
    }
  }
  if (symmetric.size === 0 && asymmetric.size === 0) throw new BenchFailure('--targets selects nothing.');
  return {
    symmetric: KMS_OPERATIONS.filter((op) => symmetric.has(op)),
    asymmetric: ASYMMETRIC_TARGET_IDS.filter((id) => asymmetric.has(id)).map((id) => ASYMMETRIC_TARGETS[id]),
  };
}

/** Reads the options and `BENCH_*` variables; prints the usage and exits on `--help`. */
export function parseSettings(argv: readonly string[]): Settings {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      targets: { type: 'string' },
      'asym-duration': { type: 'string' },
      rounds: { type: 'string' },
      'raw-ops': { type: 'string' },
      'max-requests': { type: 'string' },
      signed: { type: 'string' },
      'spread-keys': { type: 'string' },
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean' },
      'no-profile': { type: 'boolean' },
      'profile-out': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick === true;
  const env = process.env;
  const concurrencyText = values.concurrency ?? env['BENCH_CONCURRENCY'] ?? '1,32';
  const concurrencies = concurrencyText.split(',').map((part) => positiveNumber('--concurrency', part.trim(), 1, true));
  const selected = parseTargets(values.targets ?? env['BENCH_TARGETS'] ?? 'all');
  return {
    durationSeconds: positiveNumber('--duration', values.duration ?? env['BENCH_DURATION'], quick ? 1 : 5),
    warmupSeconds: positiveNumber('--warmup', values.warmup ?? env['BENCH_WARMUP'], quick ? 0.5 : 1),
    concurrencies,
    symmetric: selected.symmetric,
    asymmetric: selected.asymmetric,
    asymDurationSeconds: positiveNumber('--asym-duration', values['asym-duration'] ?? env['BENCH_ASYM_DURATION'], quick ? 1 : 3),
    rounds: positiveNumber('--rounds', values.rounds, 1, true),
    rawOps: positiveNumber('--raw-ops', values['raw-ops'], quick ? 50_000 : 500_000, true),
    maxRequests: positiveNumber('--max-requests', values['max-requests'], 2_000_000, true),
    signedCount: positiveNumber('--signed', values.signed, 64, true),
    spreadKeys: positiveNumber('--spread-keys', values['spread-keys'] ?? env['BENCH_SPREAD_KEYS'], 5000, true),
    quick,
    // The profile is of an Encrypt cell.
    profile: values['no-profile'] === true || !selected.symmetric.includes('Encrypt') ? false : (values.profile ?? !quick),
    profileOut: values['profile-out'],
    jsonPath: values.json,
  };
}

/** The command that reproduces this run, for the report. */
export function commandLine(argv: readonly string[]): string {
  const quoted = argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`));
  if (process.env['npm_lifecycle_event'] === 'bench') return ['npm run bench', ...(quoted.length > 0 ? ['--', ...quoted] : [])].join(' ');
  return ['tsx scripts/bench.ts', ...quoted].join(' ');
}
