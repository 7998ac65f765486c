/** Messages between the benchmark and its load-generator child process. */

/** One HTTP request, ready to replay byte for byte (already signed where the target needs it). */
export interface ReplayRequest {
  readonly method: 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface LoadJob {
  readonly type: 'run';
  readonly id: number;
  /** e.g. `http://127.0.0.1:4599` */
  readonly url: string;
  readonly requests: readonly ReplayRequest[];
  readonly connections: number;
  readonly durationSeconds: number;
  /** Upper bound on responses in this run, whatever the duration. */
  readonly maxRequests: number;
  /** Whether to keep per-response latencies (off for warm-up runs). */
  readonly record: boolean;
}

export interface LoadResult {
  readonly type: 'result';
  readonly id: number;
  /** Responses received (any status). */
  readonly responses: number;
  /** Wall time from the first request to the last response, in seconds. */
  readonly elapsedSeconds: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Connection errors, including timeouts. */
  readonly errors: number;
  readonly timeouts: number;
  /** Latency of the responses, in milliseconds. */
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
  /** How many latencies the percentiles are based on. */
  readonly latencySamples: number;
  /** CPU time the load generator itself used during the run, in milliseconds. */
  readonly generatorCpuMs: number;
  /** Whether the run was cut short by the hard time bound. */
  readonly aborted: boolean;
}

export interface LoadFailure {
  readonly type: 'failure';
  readonly id: number;
  readonly message: string;
}

export type LoadReply = LoadResult | LoadFailure;
