import { loadSettings } from '../config/settings.js';
import { loadSecrets } from '../config/secrets.js';
import { readOperator } from '../config/operator.js';
import { rotateSigningKey } from '../session/rotate-signing-key.js';
import { SigningKeys } from '../session/signing-keys.js';
import { migrationsCurrent } from '../store/migrate.js';
import { openDatabase } from '../store/open-database.js';

/**
 * `npm run rotate-signing-key`: a new ID-token signing key takes over; the old one stays published
 * until the last token it signed has expired. Running instances pick the new key up within
 * SIGNING_KEY_CACHE_SECONDS. On the embedded database, stop the service first (it holds the lock).
 */
const settings = loadSettings(process.env);
const db = await openDatabase(settings.database);
try {
  if (!(await migrationsCurrent(db))) throw new Error('The database schema is not current: run `npm run migrate` first.');
  const keys = new SigningKeys(db, loadSecrets(settings).keyEncryptionKey, settings.lifetimes.accessToken);
  const operator = readOperator(process.env);
  const result = await rotateSigningKey(db, keys, operator);
  console.log(
    `signing key ${result.kid} now signs; retired ${result.retired.length ? result.retired.join(', ') : '(none)'} ` +
      `stay published for ${result.publishUntilSeconds} s`,
  );
} finally {
  await db.close();
}
