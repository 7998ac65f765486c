import { describe, expect, it } from 'vitest';
import { createHealthCheck, httpStatusOf, startingReport } from '../../src/local/health.js';

describe('createHealthCheck', () => {
  it('returns ok and HTTP 200 when the token and the table answer', async () => {
    // Prepare
    const check = createHealthCheck({ version: '1.2.3', token: async () => 'ok', table: async () => 'ok' });

    // Act
    const report = await check();

    // Assess
    expect(report).toEqual({ status: 'ok', version: '1.2.3', token: 'ok', table: 'ok' });
    expect(httpStatusOf(report)).toBe(200);
  });

  it('returns unavailable and HTTP 503 naming the part that does not answer', async () => {
    // Prepare
    const check = createHealthCheck({ version: '1.2.3', token: async () => 'ok', table: () => Promise.reject(new Error('ECONNREFUSED')) });

    // Act
    const report = await check();

    // Assess
    expect(report).toEqual({ status: 'unavailable', version: '1.2.3', token: 'ok', table: 'unavailable' });
    expect(httpStatusOf(report)).toBe(503);
  });

  it('counts a probe slower than the timeout as unavailable', async () => {
    // Prepare
    const check = createHealthCheck({ version: '1', token: () => new Promise(() => undefined), table: async () => 'ok', timeoutMs: 20 });

    // Act
    const report = await check();

    // Assess
    expect(report.token).toBe('unavailable');
  });

  it('probes once for calls within the cache time and again after it', async () => {
    // Prepare
    let probes = 0;
    const check = createHealthCheck({ version: '1', token: async () => probes++, table: async () => 'ok', cacheMs: 50 });

    // Act
    await Promise.all([check(), check(), check()]);
    const within = probes;
    await new Promise((resolve) => setTimeout(resolve, 60));
    await check();

    // Assess
    expect({ within, after: probes }).toEqual({ within: 1, after: 2 });
  });

  it('reports starting, with HTTP 503, before the service is set up', () => {
    // Prepare
    const report = startingReport('1');

    // Act
    const status = httpStatusOf(report);

    // Assess
    expect({ report, status }).toEqual({ report: { status: 'starting', version: '1', token: 'starting', table: 'starting' }, status: 503 });
  });
});
