/**
 * Process-wide registry of loaded PKCS#11 modules.
 *
 * `C_Initialize` may be called only once per process and module, and `C_Finalize` tears down every
 * session of every caller, so all users of one module share a single loaded instance and the last
 * one to leave finalizes it.
 */
import { resolve } from 'node:path';
import { Module } from './graphene.js';

/**
 * CKF_OS_LOCKING_OK: the module may be called from more than one thread and locks with the
 * operating system's primitives. Needed because long key generations run on libuv's thread pool
 * (pkcs11js' callback form) while the event loop goes on using the module; without it SoftHSM
 * turns its locking off (a NULL C_Initialize argument promises a single thread).
 */
const INITIALIZE_OPTIONS = { flags: 2 };

interface LoadedModule {
  readonly module: Module;
  users: number;
}

const loaded = new Map<string, LoadedModule>();

/** Loads and initializes the module on first use; every call must be paired with `releaseModule`. */
export function acquireModule(modulePath: string): Module {
  const key = resolve(modulePath);
  let entry = loaded.get(key);
  if (entry === undefined) {
    const module = Module.load(key);
    try {
      module.initialize(INITIALIZE_OPTIONS);
    } catch (error) {
      module.close();
      throw error;
    }
    entry = { module, users: 0 };
    loaded.set(key, entry);
  }
  entry.users += 1;
  return entry.module;
}

/** Drops one user of the module; finalizes and unloads it when no user is left. */
export function releaseModule(modulePath: string): void {
  const key = resolve(modulePath);
  const entry = loaded.get(key);
  if (entry === undefined) return;
  entry.users -= 1;
  if (entry.users > 0) return;
  loaded.delete(key);
  try {
    entry.module.finalize();
  } finally {
    entry.module.close();
  }
}

/**
 * Finalizes and initializes the module again, which frees every session and session object it
 * holds for this process (SoftHSM keeps destroyed session objects until then). Only done when the
 * caller is the module's single user, since every other user's sessions would end too; returns
 * whether it was done. Throws if the module fails to initialize again (it stays loaded, to retry).
 */
export function reinitializeModule(modulePath: string): boolean {
  const entry = loaded.get(resolve(modulePath));
  if (entry?.users !== 1) return false;
  try {
    entry.module.finalize();
  } catch {
    // Not initialized (a failed earlier attempt): initialize below is what is needed.
  }
  entry.module.initialize(INITIALIZE_OPTIONS);
  return true;
}

/** Whether some caller in this process currently holds the module. */
export function isModuleLoaded(modulePath: string): boolean {
  return loaded.has(resolve(modulePath));
}
