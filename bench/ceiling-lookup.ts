import { createServer } from 'node:http';
import { loadSettings } from '../src/config/settings.js';
import { tokenHash } from '../src/session/token-values.js';
import { openDatabase } from '../src/store/open-database.js';
import { liveAccessToken } from '../src/store/queries/tokens.js';

/**
 * Ceiling B: node:http doing exactly the verify path's essential work — SHA-256 of the token and
 * the service's own named prepared statement, on a pool built from the service's settings — and
 * nothing else (no framework, no schema, no hooks).
 */
const settings = loadSettings();
const db = await openDatabase(settings.database);
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const { token } = JSON.parse(Buffer.concat(chunks).toString()) as { token: string };
    liveAccessToken(db, tokenHash(token)).then(
      (live) => {
        const body = JSON.stringify(live ? { active: true, expires_in: live.expires_in } : { active: false });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      () => {
        res.writeHead(503).end();
      },
    );
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
});
