/** Structured JSON logging to stdout/stderr (CloudWatch Logs in Lambda). Never pass secrets. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Details for operators debugging a request (such as why an error without a message was sent). */
  debug?(message: string, fields?: Record<string, unknown>): void;
}

/** Debug lines are written when the `LOG_LEVEL` environment variable is `DEBUG` (any case). */
function debugEnabled(): boolean {
  return process.env['LOG_LEVEL']?.toUpperCase() === 'DEBUG';
}

export const jsonLogger: Logger = {
  info: (message, fields) => console.log(JSON.stringify({ level: 'INFO', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'ERROR', message, ...fields })),
  debug: (message, fields) => {
    if (debugEnabled()) console.log(JSON.stringify({ level: 'DEBUG', message, ...fields }));
  },
};

export const silentLogger: Logger = { info: () => undefined, error: () => undefined };
