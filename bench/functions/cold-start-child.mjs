/* global process, performance, URL -- a plain Node script, run without a loader */
/**
 * One cold start, in a fresh Node process without any loader: imports a packaged handler module and
 * answers one event. Prints {importMs, firstEventMs, dbConnectMs, waitedMs, status} as JSON on stderr's last line.
 * The database connection (TCP connect and PostgreSQL start-up, timed at the socket) is measured so it
 * can be left out: it is the network's cost, not our code's. waitedMs is the time the first event spent
 * waiting with nothing to run (the event loop idle: the connection, then PostgreSQL, billing or Kafka
 * answering), so that what is left is our own code's time (issue 10).
 *   node cold-start-child.mjs <handler module> <export name> <event JSON file>
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const [moduleFile, exportName, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const databasePort = Number(new URL(process.env.DATABASE_URL).port || 5432);

let dbConnectMs = 0;
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const options = typeof args[0] === 'object' ? args[0] : { port: args[0] };
  if (Number(options.port) === databasePort) {
    const started = performance.now();
    // The server's first answer ends the start-up exchange (trust authentication: one round trip).
    this.once('data', () => (dbConnectMs += performance.now() - started));
  }
  return connect.apply(this, args);
};

const context = {
  awsRequestId: randomUUID(),
  functionName: 'bench',
  getRemainingTimeInMillis: () => 10_000,
  callbackWaitsForEmptyEventLoop: false,
};
const start = performance.now();
const module = await import(pathToFileURL(moduleFile).href);
const imported = performance.now();
const loopBefore = performance.eventLoopUtilization();
const result = await module[exportName](event, context);
const answered = performance.now();
const waitedMs = performance.eventLoopUtilization(loopBefore).idle;
process.stderr.write(
  `\n${JSON.stringify({ importMs: imported - start, firstEventMs: answered - imported, dbConnectMs, waitedMs, status: result?.statusCode ?? 'ok' })}\n`,
);
process.exit(0);
