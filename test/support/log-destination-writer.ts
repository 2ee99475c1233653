import { LogDestination } from '../../src/observability/log-destination.js';

/**
 * Run as a child process by test/unit/log-destination.test.ts: writes ROUNDS bursts of LINES log lines to stdout
 * through a LogDestination of BUFFER bytes, proves a timer still runs, closes it within CLOSE_MS,
 * and reports on stderr what happened as one JSON line.
 */
const lines = Number(process.env.LINES);
const destination = new LogDestination({ fd: 1, maxBufferBytes: Number(process.env.BUFFER) });
const reported: number[] = [];
destination.reportDropsWith((dropped) => reported.push(dropped));

const line = `${JSON.stringify({ level: 30, msg: 'x'.repeat(200) })}\n`;
let writeMs = 0;
let timerMs = 0;
// In bursts: between them the pipe (and its reader's buffer) take what they can, until nobody reads.
const rounds = Number(process.env.ROUNDS);
for (let round = 0; round < rounds; round++) {
  const started = performance.now();
  for (let i = 0; i < lines; i++) destination.write(line);
  writeMs = Math.max(writeMs, performance.now() - started);
  const timerStarted = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 100));
  timerMs = Math.max(timerMs, performance.now() - timerStarted);
}

const closeStarted = performance.now();
const written = await destination.close(Number(process.env.CLOSE_MS));
const closeMs = performance.now() - closeStarted;
const dropped = destination.dropped;
const afterClose = destination.write(line);
const droppedAfterClose = destination.dropped - dropped;

process.stderr.write(`${JSON.stringify({ dropped, reported, writeMs, timerMs, closeMs, written, afterClose, droppedAfterClose })}\n`);
process.exit(0);
