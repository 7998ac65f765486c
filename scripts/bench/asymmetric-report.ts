/** The report section on Sign, Verify and GenerateMac, each beside its raw adapter rate. */
import { MESSAGE_BYTES } from './asymmetric-targets.js';
import type { AsymmetricResults } from './asymmetric-results.js';
import type { RawAsymmetricBench } from './raw-asymmetric.js';
import type { Settings } from './settings.js';
import { formatInt, formatMs, formatRatio, table } from './stats.js';

/**
 * The section's lines, none when no asymmetric or HMAC target is selected.
 * @param rawAsymmetric the raw adapter, asked whether the token has mechanisms for the software-tier key spec
 */
export function asymmetricReport(settings: Settings, results: AsymmetricResults, rawAsymmetric: RawAsymmetricBench | undefined): string[] {
  const asymmetricTargets = settings.asymmetric;
  const { rawAsymmetricFor, summaries: asymmetricSummaries, ratios: asymmetricRatios } = results;
  const out: string[] = [];
  if (asymmetricTargets.length === 0) return out;
  const width = Math.max(...asymmetricTargets.map((t) => t.label.length));
  out.push('');
  out.push('Asymmetric and HMAC keys');
  out.push(
    `settings:    ${settings.asymDurationSeconds} s per cell after ${settings.warmupSeconds} s warm-up; ${MESSAGE_BYTES}-byte messages (MessageType RAW for Sign/Verify); ` +
      `one key per target created through CreateKey; ${settings.signedCount} pre-signed requests per cell (Verify: ${settings.signedCount} signatures made through Sign)`,
  );
  out.push('Raw adapter rates (same algorithm and message size through the key material adapter alone, one at a time, warm key,');
  out.push(`measured for ${settings.asymDurationSeconds} s right before the KMS cell it is compared with):`);
  for (const t of asymmetricTargets) {
    const runs = settings.concurrencies
      .map((c) => {
        const r = rawAsymmetricFor(t.id, c);
        return `before c=${c}: ${formatInt(r.opsPerSecond)} ops/s (${r.meanMicros.toFixed(0)} µs/op, ${r.cpuMicros.toFixed(0)} µs CPU/op)`;
      })
      .join(';  ');
    out.push(`  ${t.label.padEnd(width)}  ${runs}`);
    out.push(`  ${' '.repeat(width)}  ${t.rawDescription}`);
  }
  const edwards = asymmetricTargets.find((t) => t.tier === 'software');
  if (edwards !== undefined && rawAsymmetric !== undefined) {
    out.push(
      `  ${edwards.keySpec}: the token ${rawAsymmetric.tokenSupports(edwards) ? 'DOES report' : 'does not report'} mechanisms for it, so the service keeps such keys in the ` +
        'software tier; its raw column is that tier (not a PKCS#11 signing mechanism).',
    );
  }
  out.push('');
  const asymmetricRows = asymmetricSummaries.map((s) => {
    const ratio = asymmetricRatios.find((r) => r.operation === s.target && r.concurrency === s.concurrency);
    return [
      s.target, s.tier, String(s.concurrency), formatInt(s.requestsPerSecond), formatMs(s.p50Ms), formatMs(s.p99Ms), formatInt(s.errors),
      formatInt(s.responses), formatInt(s.serverCpuMicrosPerRequest), formatInt(s.generatorCpuMicrosPerRequest), formatInt(s.dynamoRequests),
      Number.isFinite(s.otherBusyCores) ? s.otherBusyCores.toFixed(2) : 'n/a',
      formatInt(ratio?.rawOpsPerSecond ?? Number.NaN), formatRatio(ratio?.ofHttpFloor ?? Number.NaN), formatRatio(ratio?.ofRawAdapter ?? Number.NaN),
    ];
  });
  out.push(table(['target', 'tier', 'conc', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'requests', 'srv µs/req', 'gen µs/req', 'DDB reqs', 'other', 'raw ops/s', '÷ HTTP', '÷ raw'], asymmetricRows));
  out.push('');
  out.push('tier = where the key lives (token = PKCS#11 session objects unwrapped under the root key; software = sealed under the root key, opened per operation).');
  out.push('raw ops/s = the same operation through the adapter alone, measured right before the cell; ÷ raw = req/s ÷ raw ops/s;');
  out.push('÷ HTTP = req/s ÷ the bare node:http server at the same concurrency (HTTP floor rows above). Other columns as above.');
  out.push('');
  out.push('Ratios, and server CPU per request minus the CPU of one raw adapter operation (both include SoftHSM, which runs in-process):');
  for (const r of asymmetricRatios) {
    out.push(
      `  ${r.operation.padEnd(width)} c=${String(r.concurrency).padEnd(3)} ${formatRatio(r.ofHttpFloor).padStart(6)} × HTTP floor   ` +
        `${formatRatio(r.ofRawAdapter).padStart(6)} × raw adapter (${`${r.tier} tier)`.padEnd(14)}   ` +
        `${r.serverCpuMicrosAboveRaw >= 0 ? '+' : ''}${formatInt(r.serverCpuMicrosAboveRaw)} µs CPU/req over raw ${formatInt(r.rawCpuMicros)} µs`,
    );
  }
  const dynamoPerRequest = asymmetricSummaries.filter((s) => s.dynamoRequests / Math.max(s.responses, 1) >= 0.01);
  out.push(
    dynamoPerRequest.length === 0
      ? `DynamoDB: no per-request calls once warm (${formatInt(asymmetricSummaries.reduce((sum, s) => sum + s.dynamoRequests, 0))} in all these cells).`
      : `DynamoDB: WARNING: called per request in ${dynamoPerRequest.map((s) => `${s.target} c=${s.concurrency}`).join(', ')}.`,
  );
  return out;
}
