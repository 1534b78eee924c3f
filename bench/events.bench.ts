/**
 * Event path benchmark (not a test), against a running stack: commit → visible in analytics latency, and the
 * outbox relay's events per second beside a raw kafkajs producer. `npm run bench` runs it in a child process
 * with the stack's environment, because functions/shared/config.ts reads the environment once, at import.
 *
 *   DATABASE_URL=… KAFKA_BROKERS=… API_URL=… npx tsx bench/events.bench.ts
 *
 * BENCH_EVENTS (latency events, default 250), BENCH_EVENT_RATE (creations per second, default 10),
 * BENCH_RELAY_EVENTS (events per run, default 5000), BENCH_RELAY_ROUNDS (default 3); BENCH_RESULTS_FILE receives the results as JSON.
 */
import { writeFile } from 'node:fs/promises';
import { closeDb, db } from '../functions/shared/db.js';
import { benchmarkEventLatency } from './event-latency.js';
import { benchmarkThroughput } from './relay-throughput.js';
import { eventPathSection, type EventPathResults } from './report.js';

const apiUrl = process.env.API_URL ?? 'http://localhost:4000';
const settleTimeoutMs = 60_000;

try {
  console.log(`event path: ${apiUrl}, Kafka ${process.env.KAFKA_BROKERS ?? 'localhost:9092'}`);
  console.log('  commit → visible in analytics …');
  const latency = await benchmarkEventLatency({
    apiUrl,
    db: db(),
    events: Number(process.env.BENCH_EVENTS ?? 250),
    ratePerSecond: Number(process.env.BENCH_EVENT_RATE ?? 10),
    maxInFlight: 4,
    settleTimeoutMs,
  });
  const throughputOptions = { db: db(), events: Number(process.env.BENCH_RELAY_EVENTS ?? 5_000), batchSize: 100, warmup: 1_000, settleTimeoutMs };
  console.log(`  events per second: outbox relay → Kafka, beside kafkajs produce (${throughputOptions.events} events a run) …`);
  const throughput = await benchmarkThroughput(throughputOptions, Number(process.env.BENCH_RELAY_ROUNDS ?? 3), console.log);
  const results: EventPathResults = { latency, throughput };
  if (process.env.BENCH_RESULTS_FILE) await writeFile(process.env.BENCH_RESULTS_FILE, JSON.stringify(results));
  else console.log(`\n${eventPathSection(results)}`);
} finally {
  await closeDb();
}
// The Kafka publisher keeps its producer for the life of the container; this process is done with it.
process.exit(0);
