/**
 * The local HTTP listener. It is bound before any set-up, so a taken port fails the start at once
 * and nothing else claims the port meanwhile; requests that arrive during set-up wait for it.
 *
 * Limits, so that one client cannot hold the service: a body over `maxBodyBytes` is answered 413
 * at once (from its Content-Length, or as soon as it passes the limit) and its connection closed;
 * headers must arrive within `headersTimeoutMs` and the whole request within `requestTimeoutMs`;
 * an idle keep-alive connection closes after `keepAliveTimeoutMs`; at most `maxConnections` are
 * open, further ones are closed as they come.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { MAX_BODY_BYTES, REQUEST_TOO_LARGE, readBody, toProxyEvent, writeProxyResult } from './http-bridge.js';
import { HEALTH_PATH, httpStatusOf, type HealthReport } from './health.js';

export interface HttpLimits {
  readonly maxBodyBytes: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: MAX_BODY_BYTES,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Above the SDKs' idle times, like a load balancer's 60 s, so clients close idle connections first.
  keepAliveTimeoutMs: 60_000,
  maxConnections: 512,
};

export interface Handlers {
  /** The front function: one API Gateway proxy event in, its result out. */
  readonly kms: (event: APIGatewayProxyEvent, requestId: string) => Promise<APIGatewayProxyResult>;
  readonly health: () => Promise<HealthReport>;
}

export interface LocalHttpServer {
  readonly port: number;
  /** Starts answering; requests that arrived earlier have been waiting for this. */
  serve(handlers: Handlers): void;
  /** Answers the requests still waiting with 503 (set-up failed) and stops listening. */
  close(): Promise<void>;
}

export interface ListenOptions {
  readonly port: number;
  readonly host: string;
  readonly limits?: Partial<HttpLimits>;
  /** What `/health` answers until `serve` is called. */
  readonly starting: () => HealthReport;
  readonly onError: (error: unknown) => void;
  /** For a listener that stands for an interface VPC endpoint: its ID, which every request through it carries. */
  readonly vpcEndpointId?: string;
}

/** Binds `host:port`. Throws an error naming the port when it is taken or not allowed. */
export async function listenFirst(options: ListenOptions): Promise<LocalHttpServer> {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  let resolveHandlers!: (handlers: Handlers | undefined) => void;
  const handlers = new Promise<Handlers | undefined>((resolve) => {
    resolveHandlers = resolve;
  });
  let ready: Handlers | undefined;
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks the two timeouts above on this interval (30 s unless told).
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    (request, response) => {
      void answer(request, response, ready, handlers, limits, options).catch((error: unknown) => {
        options.onError(error);
        if (!response.headersSent) response.writeHead(500).end();
      });
    },
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  const port = await bind(server, options.port, options.host);
  return {
    port,
    serve: (given) => {
      ready = given;
      resolveHandlers(given);
    },
    close: () => {
      resolveHandlers(undefined);
      return closeServer(server);
    },
  };
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  ready: Handlers | undefined,
  pending: Promise<Handlers | undefined>,
  limits: HttpLimits,
  options: Pick<ListenOptions, 'starting' | 'vpcEndpointId'>,
): Promise<void> {
  const { starting } = options;
  if (request.method === 'GET' && request.url === HEALTH_PATH) {
    const report = ready === undefined ? starting() : await ready.health();
    writeProxyResult(response, { statusCode: httpStatusOf(report), headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(report) });
    return;
  }
  const body = await readBody(request, limits.maxBodyBytes);
  if (body === undefined) {
    // Node closes the connection once this is written: nothing more of the body is read.
    response.shouldKeepAlive = false;
    writeProxyResult(response, { ...REQUEST_TOO_LARGE, headers: { ...REQUEST_TOO_LARGE.headers, Connection: 'close' } });
    return;
  }
  const handlers = ready ?? (await pending);
  if (handlers === undefined) {
    writeProxyResult(response, { statusCode: 503, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message: 'The service is stopping.' }) });
    return;
  }
  const requestId = randomUUID();
  writeProxyResult(response, await handlers.kms(toProxyEvent(request, body, requestId, options.vpcEndpointId), requestId));
}

function bind(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new Error(`Port ${port} on ${host} is already in use; stop what uses it or choose another --port.`, { cause: error }));
      else if (error.code === 'EACCES') reject(new Error(`Port ${port} on ${host} needs privileges this process lacks; choose a port above 1023.`, { cause: error }));
      else if (error.code === 'EADDRNOTAVAIL') reject(new Error(`Cannot listen on ${host}: it is not an address of this machine.`, { cause: error }));
      else reject(error);
    });
    server.listen(port, host, () => resolvePort((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections();
  });
}
