/**
 * The parts of `npm run bench` that can be wrong without the run failing: the response check, the
 * load generator's count of HTTP statuses (a real autocannon child against the bare server and
 * against a server that answers 500), target selection, and the figures and report built from a
 * results object (medians across rounds, ratios to both floors, the DynamoDB warning, the JSON shape).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { assertAllOk, BenchFailure, LoadClient, probe, RequestSigner, startBareServer, type LoadResult } from '../../scripts/bench/load.js';
import type { CellResult, Measurements, RawRun, Settings } from '../../scripts/bench/measure.js';
import { jsonReport, renderReport, tableRows, type BenchResults } from '../../scripts/bench/report.js';
import { selectTargets, TARGETS, type Target } from '../../scripts/bench/targets.js';

const target = (id: string): Target => TARGETS.find((t) => t.id === id) as Target;

function makeLoadResult(statusCounts: Record<string, number>, overrides: Partial<LoadResult> = {}): LoadResult {
  const responses = Object.values(statusCounts).reduce((sum, n) => sum + n, 0);
  const latencyMs = { p50: 1, p90: 2, p99: 3, max: 4, mean: 1.5 };
  return { responses, elapsedSeconds: 1, statusCounts, errors: 0, timeouts: 0, latencyMs, generatorCpuMs: 10, aborted: false, ...overrides };
}

function makeCell(label: string, concurrency: number, round: number, requestsPerSecond: number, dynamo = 0): CellResult {
  return {
    target: label, concurrency, round, requestsPerSecond, responses: requestsPerSecond, elapsedSeconds: 1,
    latencyMs: { p50: 1, p90: 2, p99: 3, max: 4, mean: 1.5 }, statusCounts: { 200: requestsPerSecond }, errors: 0,
    serverCpuMicrosPerRequest: 100 * round, generatorCpuMicrosPerRequest: 50, dynamoRequests: { total: dynamo, byTarget: dynamo === 0 ? {} : { GetItem: dynamo } }, otherBusyCores: 0.5,
  };
}

const makeRaw = (opsPerSecond: number, concurrency: number, round: number, targetId?: string): RawRun =>
  ({ ops: opsPerSecond, elapsedSeconds: 1, opsPerSecond, meanMicros: 1e6 / opsPerSecond, cpuMs: 1000, concurrency, round, ...(targetId === undefined ? {} : { target: targetId }) });

function makeResults(targets: readonly Target[], measured: Measurements): BenchResults {
  const settings: Settings = {
    durationSeconds: 1, warmupSeconds: 0.5, concurrencies: [1], targets, asymDurationSeconds: 1, rounds: 2, rawOps: 1000, maxRequests: 1000,
    signedCount: 4, spreadKeys: 10, quick: true, profile: false, profileOut: undefined, jsonPath: undefined,
  };
  const facts = { cpuModel: 'test CPU', cores: 2, nodeVersion: 'v20', platform: 'linux-x64', memoryGiB: 1, loadAverage: [0] };
  const recordCheck = { ops: 1, elapsedSeconds: 1, opsPerSecond: 20_000, meanMicros: 50, cpuMs: 1 };
  return { command: 'npm run bench -- --quick', facts, settings, started: 0, measured, recordCheck, cacheTtlMs: 300_000, tokenSupportsSoftwareSpec: false };
}

/** Two rounds of the HTTP floor, Encrypt and Sign RSA at c=1, with their raw loops. */
const twoRounds: Measurements = {
  cells: [
    makeCell('HTTP floor', 1, 1, 8000), makeCell('Encrypt', 1, 1, 1000), makeCell('Sign RSA_2048', 1, 1, 400),
    makeCell('HTTP floor', 1, 2, 12_000), makeCell('Encrypt', 1, 2, 3000), makeCell('Sign RSA_2048', 1, 2, 600),
  ],
  raws: [makeRaw(40_000, 1, 1), makeRaw(60_000, 1, 2)],
  rawAsymmetricRuns: [makeRaw(1000, 1, 1, 'sign-rsa'), makeRaw(1000, 1, 2, 'sign-rsa')],
  profile: undefined,
};

describe('the response check', () => {
  it('passes a run that saw only HTTP 200', () => {
    expect(() => assertAllOk('Encrypt c=1', makeLoadResult({ 200: 10 }))).not.toThrow();
  });

  it.each([
    ['a non-200 status', makeLoadResult({ 200: 9, 403: 1 })],
    ['connection errors', makeLoadResult({ 200: 10 }, { errors: 1 })],
    ['timeouts', makeLoadResult({ 200: 10 }, { timeouts: 1 })],
    ['a run cut short by the time bound', makeLoadResult({ 200: 10 }, { aborted: true })],
    ['no responses at all', makeLoadResult({})],
  ])('fails a run with %s', (_what, result) => {
    expect(() => assertAllOk('Encrypt c=1', result)).toThrow(BenchFailure);
  });
});

describe('the load generator', () => {
  // The child runs TypeScript through tsx, as `npm run bench` does.
  const load = new LoadClient(['--import', 'tsx']);
  afterAll(() => load.stop());

  it('replays signed requests against the bare server and counts every HTTP 200', async () => {
    // Prepare
    const floor = await startBareServer();
    const signer = new RequestSigner(floor.endpoint, { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
    const requests = await signer.signMany('Encrypt', 4, (i) => ({ KeyId: 'alias/bench', Plaintext: String(i) }));

    // Act
    const result = await load.run({ url: floor.endpoint, requests, connections: 2, durationSeconds: 0.3, maxRequests: 100_000, record: true }).finally(() => floor.stop());

    // Assess
    expect(result.responses).toBeGreaterThan(0);
    expect(result.statusCounts).toEqual({ 200: result.responses });
    expect(result.latencyMs.p50).toBeGreaterThan(0);
    expect(result.latencyMs.p99).toBeGreaterThanOrEqual(result.latencyMs.p50);
    expect(() => assertAllOk('HTTP floor', result)).not.toThrow();
  });

  it('counts the responses of a server that answers 500, and the check fails that run and its probe', async () => {
    // Prepare
    const failing = createServer((request, response) => request.resume().on('end', () => response.writeHead(500).end('{"__type":"KMSInternalException"}')));
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
    const [request] = await new RequestSigner(url, { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }).signMany('Encrypt', 1, () => ({}));

    // Act
    const result = await load.run({ url, requests: [request!], connections: 1, durationSeconds: 0.2, maxRequests: 100_000, record: false });
    const probed = probe(url, request!, 'Encrypt', () => true);

    // Assess
    expect(result.statusCounts).toEqual({ 500: result.responses });
    expect(() => assertAllOk('Encrypt c=1', result)).toThrow(/expected only HTTP 200, got \{"500":\d+\}/);
    await expect(probed).rejects.toThrow('Encrypt: HTTP 500');
    failing.closeAllConnections();
    failing.close();
  });
});

describe('--targets', () => {
  it('selects every target but encrypt-spread for all, in the order of the report', () => {
    expect(selectTargets('all').map((t) => t.id)).toEqual(TARGETS.filter((t) => t.id !== 'encrypt-spread').map((t) => t.id));
  });

  it('selects encrypt-spread only when named, and keeps the report order whatever the order named', () => {
    expect(selectTargets('mac-hmac,encrypt-spread,symmetric').map((t) => t.id)).toEqual(['encrypt', 'encrypt-policies', 'encrypt-spread', 'decrypt', 'generate-data-key', 'mac-hmac']);
  });

  it('refuses an unknown target', () => {
    expect(() => selectTargets('encrypt,sign-dsa')).toThrow('unknown target "sign-dsa"');
  });
});

describe('the figures and the report', () => {
  it('pools rounds into medians and divides by the HTTP floor and the raw rate of the same group', () => {
    // Act
    const rows = tableRows(makeResults([target('encrypt'), target('sign-rsa')], twoRounds).settings, twoRounds);

    // Assess
    const byLabel = new Map(rows.map((row) => [row.target.label, row]));
    expect(byLabel.get('HTTP floor')?.summary.requestsPerSecond).toBe(10_000);
    expect(byLabel.get('Encrypt')?.summary).toMatchObject({ rounds: 2, requestsPerSecond: 2000, responses: 4000, serverCpuMicrosPerRequest: 150 });
    expect(byLabel.get('Encrypt')?.ofHttpFloor).toBeCloseTo(0.2);
    // Symmetric rows are divided by the AES-GCM loops (median 50,000 ops/s), Sign RSA by its own loop.
    expect(byLabel.get('Encrypt')?.ofRaw).toBeCloseTo(0.04);
    expect(byLabel.get('Sign RSA_2048')?.ofRaw).toBeCloseTo(0.5);
    expect(byLabel.get('Sign RSA_2048')?.ofHttpFloor).toBeCloseTo(0.05);
  });

  it('prints both tables with their columns, the ratios and no DynamoDB warning for a warm hot path', () => {
    // Act
    const text = renderReport(makeResults([target('encrypt'), target('sign-rsa')], twoRounds));

    // Assess
    expect(text).toMatch(/target\s+conc\s+req\/s\s+p50 ms\s+p99 ms\s+errors\s+requests\s+srv µs\/req\s+gen µs\/req\s+DDB reqs\s+other\s+÷ HTTP\s+÷ PKCS#11/);
    expect(text).toMatch(/target\s+tier\s+conc\s+req\/s.*raw ops\/s\s+÷ HTTP\s+÷ raw/);
    expect(text).toMatch(/^Encrypt\s+1\s+2,000\s+1\.00\s+3\.00\s+0\s+4,000\s+150\s+50\s+0\s+0\.50\s+0\.20\s+0\.040$/m);
    expect(text).toContain('Encrypt          c=1     0.20 × HTTP floor    0.040 × raw PKCS#11');
    expect(text).toContain('no per-request DynamoDB calls once warm');
    expect(text).toContain('checking one key metadata item (canonical encoding, HMAC-SHA256 in the token): 50.0 µs (20,000 checks/s)');
  });

  it('warns when a cell called DynamoDB once per hundred requests or more, and leaves out the asymmetric section when none is selected', () => {
    // Prepare
    const measured = { ...twoRounds, cells: [makeCell('HTTP floor', 1, 1, 8000), makeCell('Encrypt', 1, 1, 1000, 10)], rawAsymmetricRuns: [] };

    // Act
    const text = renderReport(makeResults([target('encrypt')], measured));

    // Assess
    expect(text).toContain('WARNING: DynamoDB is called per request');
    expect(text).toContain('10 DynamoDB requests for 1,000 KMS requests (GetItem 10)');
    expect(text).not.toContain('Asymmetric and HMAC keys');
  });

  it('writes the JSON document with the symmetric and asymmetric figures apart', () => {
    // Act
    const json = jsonReport(makeResults([target('encrypt'), target('sign-rsa')], twoRounds)) as Record<string, Record<string, unknown>>;

    // Assess
    expect(Object.keys(json)).toEqual(['command', 'machine', 'settings', 'startedAt', 'rawPkcs11', 'summaries', 'ratios', 'cells', 'asymmetric', 'recordCheck', 'dynamoCheck', 'profile']);
    expect(json['settings']).toMatchObject({ symmetric: ['Encrypt'], asymmetric: [{ id: 'sign-rsa', label: 'Sign RSA_2048', tier: 'token' }] });
    expect(json['ratios']).toEqual([{ operation: 'Encrypt', concurrency: 1, ofHttpFloor: 0.2, ofRawPkcs11: 0.04 }]);
    expect(json['asymmetric']?.['ratios']).toEqual([expect.objectContaining({ operation: 'Sign RSA_2048', tier: 'token', ofRawAdapter: 0.5, serverCpuMicrosAboveRaw: -850 })]);
    expect(json['dynamoCheck']).toMatchObject({ cacheTtlMs: 300_000, perRequestReads: false });
  });
});
