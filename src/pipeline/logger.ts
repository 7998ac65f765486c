/** Structured JSON logging to stdout/stderr (CloudWatch Logs in Lambda). Never pass secrets. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const jsonLogger: Logger = {
  info: (message, fields) => console.log(JSON.stringify({ level: 'INFO', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'ERROR', message, ...fields })),
};

export const silentLogger: Logger = { info: () => undefined, error: () => undefined };
