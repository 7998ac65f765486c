import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonLogger } from '../../src/pipeline/logger.js';

describe('jsonLogger.debug', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('writes a DEBUG line when LOG_LEVEL is DEBUG (any case)', () => {
    // Prepare
    vi.stubEnv('LOG_LEVEL', 'debug');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);

    // Act
    jsonLogger.debug?.('error reason', { reason: 'the MAC does not match' });

    // Assess
    expect(log.mock.calls).toEqual([[JSON.stringify({ level: 'DEBUG', message: 'error reason', reason: 'the MAC does not match' })]]);
  });

  it.each([['unset', undefined], ['INFO', 'INFO']])('writes nothing when LOG_LEVEL is %s', (_, level) => {
    // Prepare
    if (level === undefined) vi.stubEnv('LOG_LEVEL', undefined);
    else vi.stubEnv('LOG_LEVEL', level);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);

    // Act
    jsonLogger.debug?.('error reason', { reason: 'x' });

    // Assess
    expect(log).not.toHaveBeenCalled();
  });
});
