/**
 * Says where a JSON text goes wrong, in words that do not depend on the JavaScript engine (whose
 * JSON.parse messages differ between Node versions). Only called once JSON.parse has failed.
 */

function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/** A short description of the first problem: a trailing comma, or the place parsing stopped. */
export function describeJsonError(text: string): string {
  let inString = false;
  let lastComma = -1;
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      lastComma = -1;
    } else if (c === ',') {
      lastComma = i;
    } else if (c === '}' || c === ']') {
      if (lastComma >= 0) return `trailing comma at ${position(text, lastComma)}`;
      depth -= 1;
    } else if (c === '{' || c === '[') {
      depth += 1;
      lastComma = -1;
    } else if (c !== undefined && !/\s/.test(c)) {
      lastComma = -1;
    }
  }
  if (inString) return 'unterminated string';
  if (depth > 0) return 'unexpected end of the document';
  return 'syntax error';
}
