/** The report's heading and its first section: the raw PKCS#11 rate, the HTTP floor and the symmetric operations. */
import type { MachineFacts } from './machine.js';
import type { RawEncryptRun } from './measurement-rounds.js';
import type { Settings } from './settings.js';
import { formatInt, formatMs, formatRatio, table } from './stats.js';
import type { SymmetricResults } from './symmetric-results.js';
import { PLAINTEXT_BYTES } from './symmetric-targets.js';

/** What was run, where, and how: the lines above every table. */
export function reportHeading(command: string, facts: MachineFacts, settings: Settings, ttlMs: number): string[] {
  const out: string[] = [];
  out.push('KMS local-service benchmark');
  out.push(`command:     ${command}`);
  out.push(`machine:     ${facts.cpuModel}; ${facts.cores} cores; ${facts.memoryGiB} GiB; ${facts.platform}; load avg at start ${facts.loadAverage.join(' ')}`);
  out.push(`node:        ${facts.nodeVersion}`);
  out.push(
    `settings:    ${settings.durationSeconds} s per cell after ${settings.warmupSeconds} s warm-up; concurrency ${settings.concurrencies.join(', ')}; ` +
      `${settings.rounds} round(s)${settings.rounds > 1 ? ' (medians)' : ''}; ${settings.signedCount} pre-signed requests per operation; ` +
      `${PLAINTEXT_BYTES}-byte plaintexts; ${settings.symmetric.includes('Encrypt spread') ? `Encrypt spread over ${settings.spreadKeys} keys; ` : ''}` +
      `key caches without TTL (local mode), access-key cache TTL ${ttlMs} ms`,
  );
  out.push('load:        autocannon in a child process, keep-alive, pipelining 1, replaying pre-signed requests; servers share one process');
  out.push('');
  return out;
}

export function symmetricReport(settings: Settings, facts: MachineFacts, raws: readonly RawEncryptRun[], results: SymmetricResults): string[] {
  const { rawOpsPerSecond, rawMeanMicros, rawFor, summaries, ratios, ttlMs, warmCheck, hotPathReadsDynamo } = results;
  const out: string[] = [];
  if (raws.length > 0) {
    out.push(
      `Raw PKCS#11 AES-GCM encrypt (32 B, one at a time, adapter only, measured before each concurrency group): ` +
        `${formatInt(rawOpsPerSecond)} ops/s, ${rawMeanMicros.toFixed(1)} µs/op (median)`,
    );
  }
  for (const r of raws) {
    out.push(`  before c=${r.concurrency}${settings.rounds > 1 ? ` (round ${r.round})` : ''}: ${formatInt(r.opsPerSecond)} ops/s (${formatInt(r.ops)} ops in ${r.elapsedSeconds.toFixed(2)} s)`);
  }
  out.push('');
  const rows = summaries.map((s) => {
    const ratio = ratios.find((r) => r.operation === s.target && r.concurrency === s.concurrency);
    return [
      s.target, String(s.concurrency), formatInt(s.requestsPerSecond), formatMs(s.p50Ms), formatMs(s.p99Ms), formatInt(s.errors),
      formatInt(s.responses), formatInt(s.serverCpuMicrosPerRequest), formatInt(s.generatorCpuMicrosPerRequest),
      s.target === 'HTTP floor' ? '-' : formatInt(s.dynamoRequests),
      Number.isFinite(s.otherBusyCores) ? s.otherBusyCores.toFixed(2) : 'n/a',
      ratio === undefined ? '1.00' : formatRatio(ratio.ofHttpFloor),
      formatRatio(ratio === undefined ? s.requestsPerSecond / rawFor(s.concurrency) : ratio.ofRawPkcs11),
    ];
  });
  out.push(table(['target', 'conc', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'requests', 'srv µs/req', 'gen µs/req', 'DDB reqs', 'other', '÷ HTTP', '÷ PKCS#11'], rows));
  out.push('');
  out.push('÷ HTTP = req/s ÷ the bare node:http server at the same concurrency; ÷ PKCS#11 = req/s ÷ raw PKCS#11 encrypt ops/s measured before that group.');
  out.push('srv µs/req = CPU of the serving process per request (both servers live in the benchmark process; SoftHSM runs inside it too);');
  out.push('gen µs/req = CPU of the load generator per request. DDB reqs = node:http requests the service made to DynamoDB Local during the cell.');
  out.push(`other = cores (of ${facts.cores}) kept busy by everything else on the machine during the cell: DynamoDB Local, other users' work.`);
  const top = Math.max(...settings.concurrencies);
  const floorTop = summaries.find((f) => f.target === 'HTTP floor' && f.concurrency === top);
  if (floorTop !== undefined && settings.symmetric.length > 0) {
    const costs = summaries
      .filter((f) => f.target !== 'HTTP floor' && f.concurrency === top)
      .map((f) => `${f.target} ${formatInt(f.serverCpuMicrosPerRequest)} µs (+${formatInt(f.serverCpuMicrosPerRequest - floorTop.serverCpuMicrosPerRequest)})`);
    out.push(
      `Server CPU per request at c=${top}: HTTP floor ${formatInt(floorTop.serverCpuMicrosPerRequest)} µs; ${costs.join('; ')}; ` +
        `one raw PKCS#11 encrypt ${rawMeanMicros.toFixed(0)} µs.`,
    );
  }
  if (settings.symmetric.length > 0) {
    out.push('');
    out.push('Ratios:');
    for (const r of ratios) {
      out.push(`  ${r.operation.padEnd(16)} c=${String(r.concurrency).padEnd(3)} ${formatRatio(r.ofHttpFloor).padStart(6)} × HTTP floor   ${formatRatio(r.ofRawPkcs11).padStart(6)} × raw PKCS#11`);
    }
    const spread = ratios.filter((r) => r.operation === 'Encrypt spread');
    if (spread.length > 0) {
      const perConcurrency = spread.map((r) => {
        const one = summaries.find((s) => s.target === 'Encrypt' && s.concurrency === r.concurrency);
        const many = summaries.find((s) => s.target === 'Encrypt spread' && s.concurrency === r.concurrency);
        return `c=${r.concurrency} ${formatRatio((many?.requestsPerSecond ?? Number.NaN) / (one?.requestsPerSecond ?? Number.NaN))}`;
      });
      out.push(`  Encrypt spread over ${settings.spreadKeys} keys ÷ Encrypt on one key: ${perConcurrency.join(', ')}`);
    }
    const withPolicies = ratios.filter((r) => r.operation === 'Encrypt (policies)');
    for (const r of withPolicies) {
      const plain = summaries.find((s) => s.target === 'Encrypt' && s.concurrency === r.concurrency);
      const policies = summaries.find((s) => s.target === r.operation && s.concurrency === r.concurrency);
      if (plain !== undefined && policies !== undefined) {
        out.push(`  Encrypt (policies) ÷ Encrypt (default key policy, root) c=${String(r.concurrency).padEnd(3)} ${formatRatio(policies.requestsPerSecond / plain.requestsPerSecond).padStart(6)}`);
      }
    }
    out.push('');
    out.push(`Hot path and DynamoDB (access-key cache TTL ${ttlMs} ms): ${hotPathReadsDynamo ? 'WARNING: DynamoDB is called per request' : 'no per-request DynamoDB calls once warm'}`);
    for (const w of warmCheck) {
      const detail = Object.entries(w.byOperation).map(([name, count]) => `${name} ${count}`).join(', ');
      out.push(`  ${w.operation.padEnd(16)} c=${String(w.concurrency).padEnd(3)} ${formatInt(w.dynamoRequests)} DynamoDB requests for ${formatInt(w.kmsRequests)} KMS requests${detail === '' ? '' : ` (${detail})`}`);
    }
  }
  return out;
}
