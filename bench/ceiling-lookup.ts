import { createServer } from 'node:http';
import { loadSettings } from '../src/config/settings.js';
import { tokenHash } from '../src/session/token-values.js';
import { openDatabase } from '../src/store/open-database.js';

/**
 * Ceiling B: node:http doing the verify path's irreducible work and nothing else — SHA-256 of the
 * token and one indexed lookup on the tokens table, as a named prepared statement on a pool built
 * from the service's own settings — one query per request, no framework, no schema, no hooks.
 */
const settings = loadSettings();
const db = await openDatabase(settings.database);
const lookup = {
  name: 'bench_token_lookup',
  text: `SELECT floor(extract(epoch FROM (expires_at - now())))::int AS expires_in FROM tokens
         WHERE token_value_hash = $1 AND status = 'ACTIVE' AND token_type = 'ACCESS' AND expires_at > now()`,
};
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const { token } = JSON.parse(Buffer.concat(chunks).toString()) as { token: string };
    db.query<{ expires_in: number }>({ ...lookup, values: [tokenHash(token)] }).then(
      ({ rows }) => {
        const body = JSON.stringify(rows[0] ? { active: true, expires_in: rows[0].expires_in } : { active: false });
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
