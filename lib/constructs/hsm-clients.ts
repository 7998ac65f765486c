/**
 * Reserved concurrency that keeps the number of token clients under a limit (context
 * `hsmClientLimit`): every function opens the token (one HSM client connection per running
 * instance), so the reservations of all of them together must not exceed what the CloudHSM
 * cluster accepts. The front, which serves every request, gets half; the other functions share
 * the rest equally.
 */

/** Each function's reserved concurrency, by name; `front` must be among `functions`. */
export function hsmClientShares(limit: number, functions: readonly string[]): ReadonlyMap<string, number> {
  const others = functions.filter((name) => name !== 'front');
  /* Precondition: the limit is a positive whole number. */
  if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`Context hsmClientLimit must be a positive whole number, not ${limit}`);
  const front = Math.floor(limit / 2);
  const each = others.length === 0 ? 0 : Math.floor((limit - front) / others.length);
  /* Precondition: every function gets at least one instance. */
  if (front < 1 || (others.length > 0 && each < 1)) {
    throw new Error(`Context hsmClientLimit ${limit} is too small for the ${functions.length} functions that open the token (at least ${Math.max(2, 2 * others.length - 1)})`);
  }
  return new Map(functions.map((name) => [name, name === 'front' ? front : each]));
}
