import { buildApp } from './app.js';
import { loadSettings, SettingsError } from './config/settings.js';
import { startMaintenance } from './jobs/maintenance.js';
import { shutdownOnSignals, type ShutdownPlan } from './lifecycle/graceful-shutdown.js';
import { boundHeapGrowth } from './lifecycle/heap-growth.js';
import { LogDestination } from './observability/log-destination.js';
import { createServices } from './services.js';
import { openDatabase } from './store/open-database.js';
import { migrateAtStartup } from './store/migrate.js';

/** Reads the configuration, opens the database, applies migrations, serves, runs the maintenance jobs; stops on signals. */
async function main() {
  boundHeapGrowth(process.execArgv, process.env.NODE_OPTIONS);
  // Every setting at once: a wrong one stops the service before the database opens.
  const settings = loadSettings(process.env);
  const { operations } = settings;
  const logs = new LogDestination({ fd: 1, maxBufferBytes: operations.logBufferBytes });
  const db = await openDatabase(settings.database);
  await migrateAtStartup(settings.database, db);
  const services = await createServices(settings, db);
  const app = await buildApp({ settings, services, logStream: logs });
  logs.reportDropsWith((dropped) =>
    app.log.warn({ dropped_lines: dropped }, 'log lines dropped: the log consumer did not keep up'),
  );
  if (!settings.production) {
    app.log.warn(
      { directory: settings.providers.directory, drs: settings.providers.drs, database: db.engine },
      'development mode: demo parts may be enabled; never expose this instance to customers',
    );
  }

  const plan: ShutdownPlan = {
    app,
    drainMs: operations.shutdownDrainMs,
    timeoutMs: operations.shutdownTimeoutMs,
    resources: [() => services.providers.directory.close?.(), () => db.close()],
    flushLogs: (withinMs) => logs.close(withinMs),
  };
  shutdownOnSignals(plan);

  await app.listen({ port: settings.port, host: settings.host });
  plan.scheduler = startMaintenance({ db, databaseUrl: settings.database.sessionUrl, operations, log: app.log });
}

main().catch((err) => {
  // Configuration mistakes get one clear line; anything else its stack.
  console.error(err instanceof SettingsError || err?.name === 'DataDirLockedError' ? `ciam: ${err.message}` : err);
  process.exit(1);
});
