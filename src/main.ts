import { buildApp } from './app.js';
import { loadSettings, SettingsError } from './config/settings.js';
import { createServices } from './services.js';
import { openDatabase } from './store/open-database.js';
import { migrate } from './store/migrate.js';

/** Reads the configuration, opens the database, applies migrations, serves; stops on signals. */
async function main() {
  const settings = loadSettings();
  const db = await openDatabase(settings.database);
  await migrate(db);
  const services = await createServices(settings, db);
  const app = await buildApp({ settings, services });
  if (!settings.production) {
    app.log.warn(
      { directory: settings.providers.directory, drs: settings.providers.drs, database: db.engine },
      'development mode: demo parts may be enabled; never expose this instance to customers',
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    try {
      await app.close(); // stops accepting, waits for in-flight requests
      await services.providers.directory.close?.();
      await db.close();
      clearTimeout(force);
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: settings.port, host: settings.host });
}

main().catch((err) => {
  // Configuration mistakes get one clear line; anything else its stack.
  console.error(err instanceof SettingsError || err?.name === 'DataDirLockedError' ? `ciam: ${err.message}` : err);
  process.exit(1);
});
