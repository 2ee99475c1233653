import pino from 'pino';
import { loadSettings } from '../config/settings.js';
import { findJob, JOBS } from '../jobs/catalogue.js';
import { leaderLockFor } from '../jobs/leader-lock.js';
import { runJob } from '../jobs/run-job.js';
import { LogDestination } from '../observability/log-destination.js';
import { migrationsCurrent } from '../store/migrate.js';
import { openDatabase } from '../store/open-database.js';

/**
 * `npm run job -- <name>`: runs one maintenance job once, under the same leader lock as the
 * scheduler (so it waits for nobody and never doubles a running job), and prints the outcome.
 * Without a name it lists the jobs. Exit status: 0 ran or skipped, 1 failed, 2 usage.
 */
const name = process.argv[2];
if (!name || name === '--help' || name === '-h') {
  console.log('usage: npm run job -- <name>\n\njobs:');
  for (const job of JOBS) console.log(`  ${job.name.padEnd(20)} ${job.schedule.padEnd(18)} ${job.description}`);
  process.exit(name ? 0 : 2);
}
const job = findJob(name);
if (!job) {
  console.error(`ciam: unknown job "${name}"; known: ${JOBS.map((j) => j.name).join(', ')}`);
  process.exit(2);
}

const settings = loadSettings(process.env);
const { operations } = settings;
// Logs to stderr, so stdout carries only the outcome line a script can parse. Never a synchronous
// destination: a stderr nobody reads would freeze the job while it holds its lock.
const logs = new LogDestination({ fd: 2, maxBufferBytes: operations.logBufferBytes });
const log = pino({ level: settings.logLevel }, logs);
let db;
try {
  db = await openDatabase(settings.database);
} catch (err) {
  // The embedded database belongs to the running service; jobs run there on their schedule.
  console.error(`ciam: ${(err as Error).message}`);
  process.exit(1);
}
try {
  if (!(await migrationsCurrent(db).catch(() => false))) {
    console.error('ciam: the database schema is not current; run `npm run migrate` first.');
    process.exitCode = 1;
  } else {
    const outcome = await runJob(job, { db, lock: leaderLockFor(db, settings.database.sessionUrl), settings: operations.jobs, log });
    console.log(JSON.stringify({ job: job.name, ...outcome }));
    process.exitCode = outcome.status === 'ran' && outcome.error ? 1 : 0;
  }
} finally {
  await db.close();
}
// The last lines get a few seconds; a stderr nobody reads must not keep the job from ending.
await logs.close(5_000);
process.exit();
