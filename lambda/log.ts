/**
 * Structured logs: one JSON object per line on stdout, which Lambda ships to CloudWatch Logs as
 * is, so Logs Insights can query the fields (`filter decision = "rejected-signature"`).
 * Nothing secret is ever passed in: no auth token, no signature.
 */

export type LogSink = (line: string) => void;

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

export type LogRecord = { level: "info" | "warn" | "error"; msg: string } & Record<string, unknown>;

export function writeLog(sink: LogSink, record: LogRecord): void {
  sink(JSON.stringify(record));
}
