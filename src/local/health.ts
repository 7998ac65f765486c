/**
 * `GET /health`, the one path that answers without authentication: the service's version and
 * whether the token and the table answer, nothing else (no key IDs, no secrets, no paths).
 * 200 when both answer, 503 when one does not. Results are reused for a second so that the
 * unauthenticated path cannot be used to load the token or the database.
 */

export type ComponentState = 'ok' | 'unavailable';

export interface HealthReport {
  readonly status: 'ok' | 'unavailable' | 'starting';
  readonly version: string;
  readonly token: ComponentState | 'starting';
  readonly table: ComponentState | 'starting';
}

export interface HealthProbes {
  readonly version: string;
  /** Resolves when the token answers (e.g. a one-byte C_GenerateRandom). */
  readonly token: () => Promise<unknown>;
  /** Resolves when the table answers. */
  readonly table: () => Promise<unknown>;
  /** How long an answer is reused; default 1 s. */
  readonly cacheMs?: number;
  /** A probe slower than this counts as unavailable; default 2 s. */
  readonly timeoutMs?: number;
}

export const HEALTH_PATH = '/health';

/** The answer before the service is set up. */
export function startingReport(version: string): HealthReport {
  return { status: 'starting', version, token: 'starting', table: 'starting' };
}

export function httpStatusOf(report: HealthReport): number {
  return report.status === 'ok' ? 200 : 503;
}

/** A health check that probes at most once per `cacheMs`, concurrent callers sharing one probe. */
export function createHealthCheck(probes: HealthProbes): () => Promise<HealthReport> {
  const cacheMs = probes.cacheMs ?? 1_000;
  const timeoutMs = probes.timeoutMs ?? 2_000;
  let last: { readonly at: number; readonly report: Promise<HealthReport> } | undefined;
  return () => {
    const now = Date.now();
    if (last === undefined || now - last.at >= cacheMs) {
      last = { at: now, report: probe(probes, timeoutMs) };
    }
    return last.report;
  };
}

async function probe(probes: HealthProbes, timeoutMs: number): Promise<HealthReport> {
  const [token, table] = await Promise.all([state(probes.token, timeoutMs), state(probes.table, timeoutMs)]);
  return { status: token === 'ok' && table === 'ok' ? 'ok' : 'unavailable', version: probes.version, token, table };
}

async function state(check: () => Promise<unknown>, timeoutMs: number): Promise<ComponentState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ComponentState>((resolve) => {
    timer = setTimeout(resolve, timeoutMs, 'unavailable');
  });
  try {
    return await Promise.race([check().then((): ComponentState => 'ok', (): ComponentState => 'unavailable'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
