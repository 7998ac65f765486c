/**
 * What the audit log and the service log may carry of a message. A message may quote the
 * request back (AWS's own `'<value>' can not be converted to a Blob` does, and the response keeps
 * it: it only tells the caller what the caller sent), but nothing written to a log may carry a
 * request value of a secret member, and no message written there is unbounded.
 */

/** The longest message an audit event or a log line carries; longer ones are cut. */
export const MAX_RECORDED_MESSAGE_LENGTH = 2048;
export const REDACTED = '<redacted>';
const TRUNCATED = '… (truncated)';
/** Shorter secrets are redacted only where quoted: replacing every `abc` would garble the message. */
const MIN_BARE_SECRET_LENGTH = 4;
const SINGLE_QUOTED = /'([^']*)'/g;
const ANY_QUOTED = /'[^']*'|"[^"]*"/g;

/** `text` cut to {@link MAX_RECORDED_MESSAGE_LENGTH} characters. */
export function capped(text: string): string {
  if (text.length <= MAX_RECORDED_MESSAGE_LENGTH) return text;
  return `${text.slice(0, MAX_RECORDED_MESSAGE_LENGTH - TRUNCATED.length)}${TRUNCATED}`;
}

/**
 * An error message as the audit event records it: every occurrence of a secret member's value
 * (`secrets`, from the request body) and every quoted value that is part of one redacted, capped.
 * Other quoted values (key ARNs, alias names, enum values) stay: operators need them.
 */
export function recordedMessage(message: string, secrets: readonly string[]): string {
  const present = secrets.filter((secret) => secret !== '');
  let text = message;
  for (const secret of [...present].sort((a, b) => b.length - a.length)) {
    if (secret.length >= MIN_BARE_SECRET_LENGTH) text = text.split(secret).join(REDACTED);
  }
  // Longer secrets are gone by now; what is left quoted may be a short secret or a piece of one ('!').
  text = text.replace(SINGLE_QUOTED, (quoted, inner: string) =>
    inner !== '' && present.some((secret) => secret.includes(inner)) ? `'${REDACTED}'` : quoted);
  return capped(text);
}

/**
 * Text from an unexpected failure (message, stack) as a log line carries it. Nothing says what
 * such text quotes, so every quoted value is redacted, and so is any secret of the request.
 */
export function loggableText(text: string, secrets: readonly string[] = []): string {
  return recordedMessage(text, secrets).replace(ANY_QUOTED, (quoted) => `${quoted.charAt(0)}${REDACTED}${quoted.charAt(0)}`);
}

/** An unexpected failure as log fields: its name, and its message and stack made loggable. */
export function loggableError(error: unknown, secrets: readonly string[] = []): Record<string, string> | string {
  if (!(error instanceof Error)) return loggableText(String(error), secrets);
  return {
    name: error.name,
    message: loggableText(error.message, secrets),
    ...(error.stack === undefined ? {} : { stack: loggableText(error.stack, secrets) }),
  };
}
