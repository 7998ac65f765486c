/**
 * The figures of a run and how they are shown: the rounds of each target at each concurrency pooled
 * into one row (medians of rates, latencies and CPU; sums of counts), its ratios to the HTTP floor
 * and to its raw adapter rate, the text report and the `--json` file.
 */
import type { MachineFacts } from './machine.js';
import type { CellResult, Measurements, RawResult, RawRun, Settings } from './measure.js';
import type { ProfiledEncrypt } from './profile.js';
import { HTTP_FLOOR, isAsymmetric, PAYLOAD_BYTES } from './targets.js';

/** Everything a run produced, as the report and the JSON file read it. */
export interface BenchResults {
  /** The command that reproduces the run. */
  readonly command: string;
  readonly facts: MachineFacts;
  readonly settings: Settings;
  /** When the local service was asked to start (epoch milliseconds). */
  readonly started: number;
  readonly measured: Measurements;
  /** One record integrity check through the token. */
  readonly recordCheck: RawResult;
  /** The service's access-key cache TTL. */
  readonly cacheTtlMs: number;
  /** Whether the token reports mechanisms for the software-tier key spec (Ed25519 on SoftHSM does not). */
  readonly tokenSupportsSoftwareSpec: boolean;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

const formatInt = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');
const formatMs = (value: number): string => (!Number.isFinite(value) ? 'n/a' : value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2));
const formatRatio = (value: number): string => (!Number.isFinite(value) ? 'n/a' : value.toFixed(value >= 10 ? 1 : value >= 0.1 ? 2 : 3));
const formatCores = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : 'n/a');

/** Rows as a text table: the first column left-aligned, the rest right-aligned. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The rounds of one target at one concurrency, pooled. */
type CellSummary = ReturnType<typeof summarise>;

/** Medians of raw adapter loops. */
function rawRate(runs: readonly RawRun[]) {
  return {
    opsPerSecond: median(runs.map((r) => r.opsPerSecond)), meanMicros: median(runs.map((r) => r.meanMicros)),
    cpuMicros: median(runs.map((r) => (r.cpuMs * 1000) / Math.max(r.ops, 1))),
  };
}

function summarise(cells: readonly CellResult[], target: string, concurrency: number) {
  const matching = cells.filter((cell) => cell.target === target && cell.concurrency === concurrency);
  const medianOf = (pick: (cell: CellResult) => number): number => median(matching.map(pick));
  const sumOf = (pick: (cell: CellResult) => number): number => matching.reduce((sum, cell) => sum + pick(cell), 0);
  const dynamoByOperation: Record<string, number> = {};
  for (const [name, count] of matching.flatMap((cell) => Object.entries(cell.dynamoRequests.byTarget))) dynamoByOperation[name] = (dynamoByOperation[name] ?? 0) + count;
  return {
    target, concurrency, rounds: matching.length, requestsPerSecond: medianOf((c) => c.requestsPerSecond), p50Ms: medianOf((c) => c.latencyMs.p50),
    p99Ms: medianOf((c) => c.latencyMs.p99), errors: sumOf((c) => c.errors), responses: sumOf((c) => c.responses),
    serverCpuMicrosPerRequest: medianOf((c) => c.serverCpuMicrosPerRequest), generatorCpuMicrosPerRequest: medianOf((c) => c.generatorCpuMicrosPerRequest),
    dynamoRequests: sumOf((c) => c.dynamoRequests.total), dynamoByOperation, otherBusyCores: medianOf((c) => c.otherBusyCores),
  };
}

/**
 * Every row of the run, by concurrency then in the order of the report (the HTTP floor first):
 * `raw` is the median of the loops before that concurrency group (AES-GCM for the floor and the
 * symmetric targets, the target's own otherwise); `ofHttpFloor` and `ofRaw` are req/s over each floor.
 */
export function tableRows(settings: Settings, measured: Measurements) {
  return settings.concurrencies.flatMap((concurrency) => {
    const floor = summarise(measured.cells, HTTP_FLOOR.label, concurrency);
    return [HTTP_FLOOR, ...settings.targets].map((target) => {
      const summary = summarise(measured.cells, target.label, concurrency);
      const raw = rawRate(isAsymmetric(target)
        ? measured.rawAsymmetricRuns.filter((r) => r.target === target.id && r.concurrency === concurrency)
        : measured.raws.filter((r) => r.concurrency === concurrency));
      return { target, summary, raw, ofHttpFloor: summary.requestsPerSecond / floor.requestsPerSecond, ofRaw: summary.requestsPerSecond / raw.opsPerSecond };
    });
  });
}

/** A target at a concurrency, beside both floors. */
type Row = ReturnType<typeof tableRows>[number];

/** Whether a row's cells called DynamoDB about once per request or more (at least 1 per 100): reads on the hot path, not cache refreshes. */
const readsDynamoPerRequest = (s: CellSummary): boolean => s.dynamoRequests / Math.max(s.responses, 1) >= 0.01;

function heading({ command, facts, settings: s, cacheTtlMs }: BenchResults): string[] {
  return [
    'KMS local-service benchmark',
    `command:     ${command}`,
    `machine:     ${facts.cpuModel}; ${facts.cores} cores; ${facts.memoryGiB} GiB; ${facts.platform}; load avg at start ${facts.loadAverage.join(' ')}`,
    `node:        ${facts.nodeVersion}`,
    `settings:    ${s.durationSeconds} s per cell after ${s.warmupSeconds} s warm-up; concurrency ${s.concurrencies.join(', ')}; ` +
      `${s.rounds} round(s)${s.rounds > 1 ? ' (medians)' : ''}; ${s.signedCount} pre-signed requests per operation; ` +
      `${PAYLOAD_BYTES}-byte plaintexts; ${s.targets.some((t) => t.spread === true) ? `Encrypt spread over ${s.spreadKeys} keys; ` : ''}` +
      `key caches without TTL (local mode), access-key cache TTL ${cacheTtlMs} ms`,
    'load:        autocannon in a child process, keep-alive, pipelining 1, replaying pre-signed requests; servers share one process',
    '',
  ];
}

function symmetricSection(results: BenchResults, rows: readonly Row[]): string[] {
  const { settings: s, facts, measured, cacheTtlMs } = results;
  const out: string[] = [];
  if (measured.raws.length > 0) {
    out.push(`Raw PKCS#11 AES-GCM encrypt (32 B, one at a time, adapter only, measured before each concurrency group): ` +
      `${formatInt(median(measured.raws.map((r) => r.opsPerSecond)))} ops/s, ${median(measured.raws.map((r) => r.meanMicros)).toFixed(1)} µs/op (median)`);
  }
  for (const r of measured.raws) {
    out.push(`  before c=${r.concurrency}${s.rounds > 1 ? ` (round ${r.round})` : ''}: ${formatInt(r.opsPerSecond)} ops/s (${formatInt(r.ops)} ops in ${r.elapsedSeconds.toFixed(2)} s)`);
  }
  out.push('', table(['target', 'conc', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'requests', 'srv µs/req', 'gen µs/req', 'DDB reqs', 'other', '÷ HTTP', '÷ PKCS#11'],
    rows.map(({ target, summary: r, ofHttpFloor, ofRaw }) => [
      r.target, String(r.concurrency), formatInt(r.requestsPerSecond), formatMs(r.p50Ms), formatMs(r.p99Ms), formatInt(r.errors), formatInt(r.responses),
      formatInt(r.serverCpuMicrosPerRequest), formatInt(r.generatorCpuMicrosPerRequest), target.floor === true ? '-' : formatInt(r.dynamoRequests),
      formatCores(r.otherBusyCores), formatRatio(ofHttpFloor), formatRatio(ofRaw),
    ])), '');
  out.push('÷ HTTP = req/s ÷ the bare node:http server at the same concurrency; ÷ PKCS#11 = req/s ÷ raw PKCS#11 encrypt ops/s measured before that group.');
  out.push('srv µs/req = CPU of the serving process per request (both servers live in the benchmark process; SoftHSM runs inside it too);');
  out.push('gen µs/req = CPU of the load generator per request. DDB reqs = node:http requests the service made to DynamoDB Local during the cell.');
  out.push(`other = cores (of ${facts.cores}) kept busy by everything else on the machine during the cell: DynamoDB Local, other users' work.`);
  const operations = rows.filter((row) => row.target.floor !== true);
  if (operations.length === 0) return out;
  const top = Math.max(...s.concurrencies);
  const atTop = rows.filter((row) => row.summary.concurrency === top);
  const floorCpu = atTop.find((row) => row.target.floor === true)?.summary.serverCpuMicrosPerRequest ?? Number.NaN;
  const costs = atTop.filter((row) => row.target.floor !== true).map(({ summary: r }) => `${r.target} ${formatInt(r.serverCpuMicrosPerRequest)} µs (+${formatInt(r.serverCpuMicrosPerRequest - floorCpu)})`);
  out.push(`Server CPU per request at c=${top}: HTTP floor ${formatInt(floorCpu)} µs; ${costs.join('; ')}; one raw PKCS#11 encrypt ${median(measured.raws.map((r) => r.meanMicros)).toFixed(0)} µs.`);
  out.push('', 'Ratios:');
  for (const { summary: r, ofHttpFloor, ofRaw } of operations) {
    out.push(`  ${r.target.padEnd(16)} c=${String(r.concurrency).padEnd(3)} ${formatRatio(ofHttpFloor).padStart(6)} × HTTP floor   ${formatRatio(ofRaw).padStart(6)} × raw PKCS#11`);
  }
  const beside = (label: string, concurrency: number): number => rows.find((row) => row.target.label === label && row.summary.concurrency === concurrency)?.summary.requestsPerSecond ?? Number.NaN;
  const spread = operations.filter((row) => row.target.spread === true).map(({ summary: r }) => `c=${r.concurrency} ${formatRatio(r.requestsPerSecond / beside('Encrypt', r.concurrency))}`);
  if (spread.length > 0) out.push(`  Encrypt spread over ${s.spreadKeys} keys ÷ Encrypt on one key: ${spread.join(', ')}`);
  for (const { summary: r } of operations.filter((row) => row.target.policyUser === true && Number.isFinite(beside('Encrypt', row.summary.concurrency)))) {
    out.push(`  Encrypt (policies) ÷ Encrypt (default key policy, root) c=${String(r.concurrency).padEnd(3)} ${formatRatio(r.requestsPerSecond / beside('Encrypt', r.concurrency)).padStart(6)}`);
  }
  const perRequest = operations.some((row) => readsDynamoPerRequest(row.summary));
  out.push('', `Hot path and DynamoDB (access-key cache TTL ${cacheTtlMs} ms): ${perRequest ? 'WARNING: DynamoDB is called per request' : 'no per-request DynamoDB calls once warm'}`);
  for (const { summary: r } of operations) {
    const detail = Object.entries(r.dynamoByOperation).map(([name, count]) => `${name} ${count}`).join(', ');
    out.push(`  ${r.target.padEnd(16)} c=${String(r.concurrency).padEnd(3)} ${formatInt(r.dynamoRequests)} DynamoDB requests for ${formatInt(r.responses)} KMS requests${detail === '' ? '' : ` (${detail})`}`);
  }
  return out;
}

function asymmetricSection({ settings: s, tokenSupportsSoftwareSpec }: BenchResults, rows: readonly Row[]): string[] {
  const targets = s.targets.filter(isAsymmetric);
  if (targets.length === 0) return [];
  const width = Math.max(...targets.map((t) => t.label.length));
  const out = [
    '', 'Asymmetric and HMAC keys',
    `settings:    ${s.asymDurationSeconds} s per cell after ${s.warmupSeconds} s warm-up; ${PAYLOAD_BYTES}-byte messages (MessageType RAW for Sign/Verify); ` +
      `one key per target created through CreateKey; ${s.signedCount} pre-signed requests per cell (Verify: ${s.signedCount} signatures made through Sign)`,
    'Raw adapter rates (same algorithm and message size through the key material adapter alone, one at a time, warm key,',
    `measured for ${s.asymDurationSeconds} s right before the KMS cell it is compared with):`,
  ];
  for (const t of targets) {
    const runs = rows.filter((row) => row.target === t).map(({ summary, raw }) =>
      `before c=${summary.concurrency}: ${formatInt(raw.opsPerSecond)} ops/s (${raw.meanMicros.toFixed(0)} µs/op, ${raw.cpuMicros.toFixed(0)} µs CPU/op)`);
    out.push(`  ${t.label.padEnd(width)}  ${runs.join(';  ')}`, `  ${' '.repeat(width)}  ${t.rawDescription}`);
  }
  const software = targets.find((t) => t.tier === 'software');
  if (software !== undefined) {
    out.push(`  ${software.keySpec}: the token ${tokenSupportsSoftwareSpec ? 'DOES report' : 'does not report'} mechanisms for it, so the service keeps such keys in the ` +
      'software tier; its raw column is that tier (not a PKCS#11 signing mechanism).');
  }
  out.push('', table(['target', 'tier', 'conc', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'requests', 'srv µs/req', 'gen µs/req', 'DDB reqs', 'other', 'raw ops/s', '÷ HTTP', '÷ raw'],
    rows.map(({ target, summary: r, raw, ofHttpFloor, ofRaw }) => [
      r.target, target.tier, String(r.concurrency), formatInt(r.requestsPerSecond), formatMs(r.p50Ms), formatMs(r.p99Ms), formatInt(r.errors), formatInt(r.responses),
      formatInt(r.serverCpuMicrosPerRequest), formatInt(r.generatorCpuMicrosPerRequest), formatInt(r.dynamoRequests), formatCores(r.otherBusyCores),
      formatInt(raw.opsPerSecond), formatRatio(ofHttpFloor), formatRatio(ofRaw),
    ])));
  out.push('', 'tier = where the key lives (token = PKCS#11 session objects unwrapped under the root key; software = sealed under the root key, opened per operation).');
  out.push('raw ops/s = the same operation through the adapter alone, measured right before the cell; ÷ raw = req/s ÷ raw ops/s;');
  out.push('÷ HTTP = req/s ÷ the bare node:http server at the same concurrency (HTTP floor rows above). Other columns as above.');
  out.push('', 'Ratios, and server CPU per request minus the CPU of one raw adapter operation (both include SoftHSM, which runs in-process):');
  for (const { target, summary: r, raw, ofHttpFloor, ofRaw } of rows) {
    const above = r.serverCpuMicrosPerRequest - raw.cpuMicros;
    out.push(`  ${r.target.padEnd(width)} c=${String(r.concurrency).padEnd(3)} ${formatRatio(ofHttpFloor).padStart(6)} × HTTP floor   ` +
      `${formatRatio(ofRaw).padStart(6)} × raw adapter (${`${target.tier} tier)`.padEnd(14)}   ${above >= 0 ? '+' : ''}${formatInt(above)} µs CPU/req over raw ${formatInt(raw.cpuMicros)} µs`);
  }
  const perRequest = rows.filter((row) => readsDynamoPerRequest(row.summary)).map(({ summary: r }) => `${r.target} c=${r.concurrency}`);
  out.push(perRequest.length === 0
    ? `DynamoDB: no per-request calls once warm (${formatInt(rows.reduce((sum, row) => sum + row.summary.dynamoRequests, 0))} in all these cells).`
    : `DynamoDB: WARNING: called per request in ${perRequest.join(', ')}.`);
  return out;
}

function profileSection({ summary: p, concurrency, requestsPerSecond }: ProfiledEncrypt): string[] {
  const share = (entry: { name: string; share: number }): string => `    ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}`;
  return [
    '',
    `Where the service's main thread spends its time (Encrypt c=${concurrency}, extra profiled cell at ${formatInt(requestsPerSecond)} req/s, ` +
      `${(((p.totalMs - p.idleMs) / Math.max(p.totalMs, 1)) * 100).toFixed(0)}% busy; self time, share of busy time):`,
    '  by component (Node internals and native calls charged to the nearest package or project file that called them):',
    ...p.byOrigin.slice(0, 14).map(share),
    '  by function (self time):',
    ...p.byFunction.slice(0, 12).map(share),
    '  Samples are taken on wall-clock time: with the load generator on the same cores, a native call that wakes it',
    '  (socket writev) also absorbs time the thread spent preempted. CPU accounting is the srv µs/req column.',
  ];
}

/** The text report, printed to stdout. */
export function renderReport(results: BenchResults): string {
  const rows = tableRows(results.settings, results.measured);
  const { recordCheck, measured } = results;
  return [
    ...heading(results),
    ...symmetricSection(results, rows.filter((row) => !isAsymmetric(row.target))),
    ...(measured.profile === undefined ? [] : profileSection(measured.profile)),
    ...asymmetricSection(results, rows.filter((row) => isAsymmetric(row.target))),
    '',
    'Record integrity',
    `  checking one key metadata item (canonical encoding, HMAC-SHA256 in the token): ${recordCheck.meanMicros.toFixed(1)} µs (${formatInt(recordCheck.opsPerSecond)} checks/s);`,
    '  paid only when a record is read from the table, never by a warm request (see the DynamoDB requests per cell above).',
  ].join('\n');
}

/** The `--json` document: settings, every cell and raw loop, the rows of both sections, the DynamoDB check and the profile. */
export function jsonReport(results: BenchResults): object {
  const { command, facts, settings, started, measured, recordCheck, cacheTtlMs } = results;
  const rows = tableRows(settings, measured);
  const symmetric = rows.filter((row) => !isAsymmetric(row.target));
  const operations = symmetric.filter((row) => row.target.floor !== true);
  const asymmetric = rows.filter((row) => isAsymmetric(row.target));
  const { targets, ...plan } = settings;
  const { profile } = measured;
  return {
    command, machine: facts,
    settings: { ...plan, symmetric: targets.filter((t) => !isAsymmetric(t)).map((t) => t.label), asymmetric: targets.filter(isAsymmetric) },
    startedAt: new Date(started).toISOString(),
    rawPkcs11: { opsPerSecond: median(measured.raws.map((r) => r.opsPerSecond)), meanMicros: median(measured.raws.map((r) => r.meanMicros)), runs: measured.raws },
    summaries: symmetric.map((row) => row.summary),
    ratios: operations.map(({ summary: r, ofHttpFloor, ofRaw }) => ({ operation: r.target, concurrency: r.concurrency, ofHttpFloor, ofRawPkcs11: ofRaw })),
    cells: measured.cells,
    asymmetric: {
      targets: targets.filter(isAsymmetric), rawAdapter: measured.rawAsymmetricRuns,
      summaries: asymmetric.map(({ target, summary }) => ({ ...summary, id: target.id, tier: target.tier })),
      ratios: asymmetric.map(({ target, summary: r, raw, ofHttpFloor, ofRaw }) => ({
        operation: r.target, tier: target.tier, concurrency: r.concurrency, rawOpsPerSecond: raw.opsPerSecond, rawMeanMicros: raw.meanMicros,
        rawCpuMicros: raw.cpuMicros, ofHttpFloor, ofRawAdapter: ofRaw, serverCpuMicrosAboveRaw: r.serverCpuMicrosPerRequest - raw.cpuMicros,
      })),
    },
    recordCheck: { meanMicros: recordCheck.meanMicros, checksPerSecond: recordCheck.opsPerSecond },
    dynamoCheck: {
      cacheTtlMs, perRequestReads: operations.some((row) => readsDynamoPerRequest(row.summary)),
      cells: operations.map(({ summary: r }) => ({
        operation: r.target, concurrency: r.concurrency, kmsRequests: r.responses, dynamoRequests: r.dynamoRequests,
        byOperation: r.dynamoByOperation, perRequest: r.dynamoRequests / Math.max(r.responses, 1),
      })),
    },
    profile: profile === undefined ? undefined
      : { ...profile, summary: { ...profile.summary, byOrigin: profile.summary.byOrigin.slice(0, 40), byFunction: profile.summary.byFunction.slice(0, 40) } },
  };
}
