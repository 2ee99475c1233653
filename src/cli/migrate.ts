import { loadSettings } from '../config/settings.js';
import { openDatabase } from '../store/open-database.js';
import { migrate } from '../store/migrate.js';

/** `npm run migrate`: applies pending migrations to the configured database and exits. */
const settings = loadSettings(process.env);
const db = await openDatabase(settings.database, { direct: true });
try {
  const applied = await migrate(db);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is current');
} finally {
  await db.close();
}
