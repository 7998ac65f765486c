/**
 * Issue 10: nothing the service starts listens beyond loopback. Lists the listening sockets of the
 * CLI's whole process tree (the embedded database included) and checks each one; a socket in a
 * network namespace of its own counts as loopback only when that namespace has no interface but
 * `lo`, so it cannot be reached from anywhere else.
 */
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_START_TIMEOUT_MS, kmsClientFor, startCli, type StartedCli } from './support/cli.js';
import { isLoopback, listeningSockets, networkNamespaceOf, processTree, type ListeningSocket } from './support/process-sockets.js';

/** Why a socket is reachable from beyond this machine's loopback, or undefined when it is not. */
function exposure(socket: ListeningSocket, ownNamespace: string, allowedPort?: number): string | undefined {
  if (socket.namespace === ownNamespace) {
    if (isLoopback(socket.address) || socket.port === allowedPort) return undefined;
    return `${socket.command} (PID ${socket.pid}) listens on ${socket.protocol} ${socket.address}:${socket.port}`;
  }
  if (socket.interfaces.every((name) => name === 'lo')) return undefined;
  return `${socket.command} (PID ${socket.pid}) listens on ${socket.address}:${socket.port} in a namespace with ${socket.interfaces.join(', ')}`;
}

describe.each([
  ['127.0.0.1', false],
  ['0.0.0.0', true],
])('listening sockets of local mode started with --host %s', (host, kmsOnEveryInterface) => {
  let parent: string;
  let cli: StartedCli;

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'kms-e2e-listen-'));
    cli = await startCli(['--port', '0', '--host', host, '--data-dir', join(parent, 'data')]);
  }, CLI_START_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    await cli?.stop();
    await rm(parent, { recursive: true, force: true });
  });

  it('answers a signed request on the endpoint it prints', async () => {
    // Prepare
    const kms = await kmsClientFor(cli, join(parent, 'data'));

    // Act
    const response = await kms.send(new ListKeysCommand({}));

    // Assess
    kms.destroy();
    expect(response.Keys).toEqual([]);
  });

  it('has no listening socket reachable beyond loopback but the KMS listener it was asked for', async () => {
    // Prepare
    const kmsPort = Number(new URL(cli.endpoint).port);
    const ownNamespace = await networkNamespaceOf(process.pid);

    // Act
    const sockets = await listeningSockets(cli.pid);

    // Assess
    expect(sockets.map((socket) => exposure(socket, ownNamespace, kmsOnEveryInterface ? kmsPort : undefined)).filter(Boolean)).toEqual([]);
    const kms = sockets.filter((socket) => socket.port === kmsPort && socket.namespace === ownNamespace);
    expect(kms.map((socket) => socket.address)).toEqual([host]);
  });

  it('runs the database in a network namespace of its own whose only interface is loopback, reached through an owner-only Unix socket', async () => {
    // Prepare
    const ownNamespace = await networkNamespaceOf(process.pid);
    const tree = await processTree(cli.pid);

    // Act
    const namespaces = await Promise.all(tree.map(async (pid) => ({ pid, namespace: await networkNamespaceOf(pid) })));
    const socketFile = await lstat(join(parent, 'data', 'dynamodb.sock'));
    const database = (await listeningSockets(cli.pid)).filter((socket) => socket.namespace !== ownNamespace);

    // Assess
    expect(namespaces.filter((entry) => entry.namespace !== ownNamespace)).toHaveLength(1);
    expect(database.length).toBeGreaterThan(0);
    expect(new Set(database.flatMap((socket) => socket.interfaces))).toEqual(new Set(['lo']));
    expect({ socket: socketFile.isSocket(), mode: socketFile.mode & 0o777, uid: socketFile.uid }).toEqual({ socket: true, mode: 0o600, uid: process.getuid?.() });
  });

  it('prints an address other machines can use when listening on every interface', () => {
    // Prepare
    const outward = Object.values(networkInterfaces()).flatMap((entries) => entries ?? []).filter((entry) => !entry.internal && entry.family === 'IPv4');

    // Act
    const printed = new URL(cli.endpoint).hostname;

    // Assess
    if (kmsOnEveryInterface && outward.length > 0) {
      expect(outward.map((entry) => entry.address)).toContain(printed);
      expect(cli.stdout()).toMatch(/\(every interface; http:\/\/127\.0\.0\.1:\d+ on this machine\)/);
    } else {
      expect(printed).toBe('127.0.0.1');
    }
  });
});
