/**
 * Initialises a token through PKCS#11 itself (C_InitToken on a free slot, then C_InitPIN as the
 * security officer), so no PIN ever appears on a command line, where other users of the machine
 * could read it in /proc.
 */
import { UserType } from './graphene.js';
import type { Module, Slot } from 'graphene-pk11';
import { SessionFlag } from './graphene.js';
import { acquireModule, releaseModule } from './module-registry.js';
import { pkcs11Code } from './pkcs11-codes.js';

/** CKF_TOKEN_INITIALIZED of CK_TOKEN_INFO.flags. */
const CKF_TOKEN_INITIALIZED = 0x400;
const CKR_USER_PIN_NOT_INITIALIZED = 0x102;
const CKR_USER_ALREADY_LOGGED_IN = 0x100;
/** CK_TOKEN_INFO.label is 32 bytes, padded with blanks; C_InitToken reads exactly 32. */
const LABEL_BYTES = 32;

export interface TokenSecrets {
  readonly tokenLabel: string;
  readonly soPin: string;
  readonly pin: string;
}

function slots(module: Module): Slot[] {
  const list = module.getSlots(true);
  return Array.from({ length: list.length }, (_, i) => list.items(i));
}

function slotLabelled(module: Module, label: string): Slot | undefined {
  return slots(module).find((slot) => {
    const token = slot.getToken();
    return (token.flags & CKF_TOKEN_INITIALIZED) !== 0 && token.label.trim() === label;
  });
}

/** Runs `use` on an RW session logged in as `user`; logs out and closes afterwards. */
function asUser<T>(slot: Slot, user: UserType, pin: string, use: (session: ReturnType<Slot['open']>) => T): T {
  const session = slot.open(SessionFlag.RW_SESSION | SessionFlag.SERIAL_SESSION);
  try {
    session.login(pin, user);
    try {
      return use(session);
    } finally {
      session.logout();
    }
  } finally {
    session.close();
  }
}

function initPin(slot: Slot, secrets: TokenSecrets): void {
  asUser(slot, UserType.SO, secrets.soPin, (session) => session.initPin(secrets.pin));
}

/**
 * Initialises a free slot's token with `secrets` and sets its user PIN. SoftHSM moves a freshly
 * initialised token to a new slot, so the token is looked up again by its label.
 */
export function initialiseToken(modulePath: string, secrets: TokenSecrets): void {
  if (Buffer.byteLength(secrets.tokenLabel) > LABEL_BYTES) throw new RangeError('A token label has at most 32 bytes.');
  const module = acquireModule(modulePath);
  try {
    const free = slots(module).find((slot) => (slot.getToken().flags & CKF_TOKEN_INITIALIZED) === 0);
    if (free === undefined) throw new Error('The PKCS#11 module has no free slot to initialise a token in.');
    // graphene's Slot.initToken cannot be used: it reads a return value pkcs11js does not give.
    free.lib.C_InitToken(free.handle, secrets.soPin, secrets.tokenLabel.padEnd(LABEL_BYTES, ' '));
    const slot = slotLabelled(module, secrets.tokenLabel);
    if (slot === undefined) throw new Error(`The token "${secrets.tokenLabel}" was initialised but cannot be found.`);
    initPin(slot, secrets);
  } finally {
    releaseModule(modulePath);
  }
}

/**
 * Sets the user PIN if the token has none yet: what is left to do when a set-up stopped between
 * C_InitToken and C_InitPIN.
 */
export function ensureUserPin(modulePath: string, secrets: TokenSecrets): void {
  const module = acquireModule(modulePath);
  try {
    const slot = slotLabelled(module, secrets.tokenLabel);
    if (slot === undefined) throw new Error(`No PKCS#11 token labelled "${secrets.tokenLabel}" was found.`);
    const session = slot.open(SessionFlag.RW_SESSION | SessionFlag.SERIAL_SESSION);
    let missing = false;
    try {
      session.login(secrets.pin, UserType.USER);
      session.logout();
    } catch (error) {
      const code = pkcs11Code(error);
      if (code === CKR_USER_PIN_NOT_INITIALIZED) missing = true;
      else if (code !== CKR_USER_ALREADY_LOGGED_IN) throw new Error(`Login to the PKCS#11 token "${secrets.tokenLabel}" failed.`, { cause: error });
    } finally {
      session.close();
    }
    if (missing) initPin(slot, secrets);
  } finally {
    releaseModule(modulePath);
  }
}
