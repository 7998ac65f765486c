/**
 * The client side of the embedded database's leases (`java/PrivateDynamoDbLocal.java` says the
 * protocol): a service process holds one connection to the lease socket for as long as it uses the
 * database, and the database stops when the last one is released or its process dies.
 */
import { connect, type Socket } from 'node:net';

export interface DatabaseLease {
  /** PID of the database's JVM. */
  readonly pid: number;
  /** Ends the lease; `last` when no other process holds one, so the database is stopping. */
  release(): Promise<'last' | 'shared'>;
  /** Called once if the database goes away while the lease is held. */
  onLost(listener: () => void): void;
}

/** The database there is stopping; wait for `pid` to exit before starting another. */
export interface StoppingDatabase {
  readonly stoppingPid: number;
}

const GREETING = /^([AX]) (\d+)\n$/;
const GREETING_TIMEOUT_MS = 5_000;

/**
 * Takes a lease on the database behind `leasePath`. Undefined when no database answers there (no
 * socket, or a stale one); `StoppingDatabase` when the one there is about to exit.
 */
export async function takeLease(leasePath: string): Promise<DatabaseLease | StoppingDatabase | undefined> {
  const socket = await connected(leasePath);
  if (socket === undefined) return undefined;
  const greeting = await readLine(socket).catch(() => undefined);
  const parsed = greeting === undefined ? undefined : GREETING.exec(greeting);
  if (parsed === null || parsed === undefined) {
    socket.destroy();
    return undefined;
  }
  const pid = Number(parsed[2]);
  if (parsed[1] === 'X') {
    socket.destroy();
    return { stoppingPid: pid };
  }
  return holding(socket, pid);
}

export function isLease(value: DatabaseLease | StoppingDatabase | undefined): value is DatabaseLease {
  return value !== undefined && 'release' in value;
}

function holding(socket: Socket, pid: number): DatabaseLease {
  let releasing = false;
  let lost: (() => void) | undefined;
  socket.once('close', () => {
    if (!releasing) lost?.();
  });
  socket.on('error', () => undefined);
  // The lease must not keep this process alive on its own.
  socket.unref();
  return {
    pid,
    onLost: (listener) => {
      lost = listener;
    },
    release: async () => {
      if (releasing || socket.destroyed) return 'shared';
      releasing = true;
      socket.ref();
      try {
        const answer = new Promise<'last' | 'shared'>((resolve) => {
          socket.once('data', (chunk: Buffer) => resolve(chunk.toString('ascii', 0, 1) === 'L' ? 'last' : 'shared'));
          // Gone before answering: the database is gone too, nothing is left to stop.
          socket.once('close', () => resolve('shared'));
        });
        socket.write('R');
        return await answer;
      } finally {
        socket.destroy();
      }
    },
  };
}

function connected(path: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => resolve(socket));
    // ENOENT (no socket) or ECONNREFUSED (a stale one): nobody is there.
    socket.once('error', () => resolve(undefined));
  });
}

function readLine(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('The database did not greet its lease holder.')), GREETING_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('ascii');
      if (!text.includes('\n')) return;
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(text);
    };
    socket.on('data', onData);
    socket.once('close', () => {
      clearTimeout(timer);
      reject(new Error('The database closed the lease connection.'));
    });
  });
}
