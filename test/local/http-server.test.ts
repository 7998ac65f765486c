/**
 * The local listener's limits, through real sockets: what a client that sends too much, too
 * slowly, or opens too many connections gets.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenFirst, type HttpLimits, type LocalHttpServer } from '../../src/local/http-server.js';
import { startingReport } from '../../src/local/health.js';

const OK_REPORT = { status: 'ok', version: '9.9.9', token: 'ok', table: 'ok' } as const;

let servers: LocalHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function listening(limits: Partial<HttpLimits> = {}, serve = true): Promise<LocalHttpServer> {
  const server = await listenFirst({ port: 0, host: '127.0.0.1', limits, starting: () => startingReport('9.9.9'), onError: () => undefined });
  servers.push(server);
  if (serve) {
    server.serve({
      kms: async (event) => ({ statusCode: 200, headers: { 'Content-Type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ bytes: Buffer.from(event.body ?? '', 'base64').length }) }),
      health: async () => OK_REPORT,
    });
  }
  return server;
}

interface RawExchange {
  readonly socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves with the time (ms since open) at which the server closed the connection. */
  readonly closed: Promise<number>;
}

function open(port: number): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const opened = performance.now();
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
    socket.on('error', () => undefined);
    const closed = new Promise<number>((done) => socket.once('close', () => done(performance.now() - opened)));
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

const request = (body: string, extra = ''): string =>
  `POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

describe('the local listener', () => {
  it('answers GET /health without authentication, "starting" until set up and the report afterwards', async () => {
    // Prepare
    const server = await listening({}, false);
    const url = `http://127.0.0.1:${server.port}/health`;

    // Act
    const before = await fetch(url);
    const beforeBody: unknown = await before.json();
    server.serve({ kms: async () => ({ statusCode: 200, body: '{}' }), health: async () => OK_REPORT });
    const after = await fetch(url);

    // Assess
    expect({ status: before.status, body: beforeBody }).toEqual({ status: 503, body: startingReport('9.9.9') });
    expect({ status: after.status, body: await after.json() }).toEqual({ status: 200, body: OK_REPORT });
  });

  it('answers a request that arrived during set-up once the service is set up', async () => {
    // Prepare
    const server = await listening({}, false);
    const pending = fetch(`http://127.0.0.1:${server.port}/`, { method: 'POST', body: '{}' });
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Act
    server.serve({ kms: async () => ({ statusCode: 200, body: '{"answered":true}' }), health: async () => OK_REPORT });
    const response = await pending;

    // Assess
    expect(await response.json()).toEqual({ answered: true });
  });

  it('answers 413 as API Gateway does and closes the connection, without reading the body, when Content-Length is over the limit', async () => {
    // Prepare
    const server = await listening({ maxBodyBytes: 1024 });
    const exchange = await open(server.port);

    // Act
    exchange.socket.write(`POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${8 * 1024 * 1024}\r\n\r\n`);
    await exchange.closed;

    // Assess
    expect(exchange.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(exchange.received()).toMatch(/\r\nconnection: close\r\n/i);
    expect(exchange.received().endsWith('{"message":"Request Too Long"}')).toBe(true);
  });

  it('drops the connection once a streamed body passes the limit instead of reading it all', async () => {
    // Prepare
    const server = await listening({ maxBodyBytes: 64 * 1024 });
    const exchange = await open(server.port);
    const total = 8 * 1024 * 1024;
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    let sent = 0;
    let closed = false;
    void exchange.closed.then(() => (closed = true));

    // Act
    exchange.socket.write('POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n');
    while (!closed && sent < total) {
      const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
      if (!exchange.socket.write(frame)) await new Promise((resolve) => setTimeout(resolve, 5));
      sent += chunk.length;
    }
    await exchange.closed;

    // Assess
    expect(exchange.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(sent).toBeLessThan(total);
  });

  it('keeps a connection that stays within the limit for the next request', async () => {
    // Prepare
    const server = await listening({ maxBodyBytes: 1024 });
    const exchange = await open(server.port);

    // Act
    exchange.socket.write(request('{"a":1}'));
    exchange.socket.write(request('{"b":22}'));
    await new Promise((resolve) => setTimeout(resolve, 200));

    // Assess
    expect(exchange.received().match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
    exchange.socket.destroy();
  });

  it('closes a connection whose headers do not arrive within the headers timeout', async () => {
    // Prepare
    const server = await listening({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const exchange = await open(server.port);

    // Act
    exchange.socket.write('POST / HTTP/1.1\r\nHost: localhost\r\n');
    const closedAfter = await exchange.closed;

    // Assess
    expect(closedAfter).toBeLessThan(3_000);
    expect(exchange.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection whose body does not arrive within the request timeout', async () => {
    // Prepare
    const server = await listening({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const exchange = await open(server.port);

    // Act
    exchange.socket.write('POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{"slow":');
    const closedAfter = await exchange.closed;

    // Assess
    expect(closedAfter).toBeGreaterThanOrEqual(500);
    expect(closedAfter).toBeLessThan(3_000);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    // Prepare
    const server = await listening({ keepAliveTimeoutMs: 200 });
    const exchange = await open(server.port);

    // Act
    exchange.socket.write(request('{}'));
    const closedAfter = await exchange.closed;

    // Assess
    expect(exchange.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(closedAfter).toBeLessThan(2_000);
  });

  it('closes connections beyond the connection cap as they come and keeps the others', async () => {
    // Prepare
    const server = await listening({ maxConnections: 2 });
    const first = await open(server.port);
    const second = await open(server.port);
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Act
    const third = await open(server.port);
    await third.closed;
    second.socket.write(request('{}'));
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Assess
    expect(third.received()).toBe('');
    expect(second.received()).toMatch(/^HTTP\/1\.1 200 /);
    first.socket.destroy();
    second.socket.destroy();
  });

  it('throws an error naming the port when it is taken', async () => {
    // Prepare
    const taken = await listening();

    // Act
    const result = listenFirst({ port: taken.port, host: '127.0.0.1', starting: () => startingReport('1'), onError: () => undefined });

    // Assess
    await expect(result).rejects.toThrow(`Port ${taken.port} on 127.0.0.1 is already in use; stop what uses it or choose another --port.`);
  });
});
