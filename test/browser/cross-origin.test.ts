import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, useServiceAndBrowser } from './support/web-harness.js';

/**
 * A bank's own page on another origin calling the API from the browser: allowed through the
 * exact-origin CORS allowlist with credentials (the refresh cookie), refused for an origin not on
 * it. Both origins are 127.0.0.1 on other ports: another origin, the same site, as a bank's
 * app.bank.example is to its login.bank.example.
 */
const CLIENT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bank app</title></head>
<body><main><h1>Bank app</h1><output id="result"></output></main><script type="module" src="/app.js"></script></body></html>`;

function clientScript(api: string): string {
  return `
const api = ${JSON.stringify(api)};
const headers = { 'content-type': 'application/json', 'x-client-id': 'web-banking' };
async function run() {
  const out = {};
  try {
    const login = await fetch(api + '/auth/login', {
      method: 'POST', credentials: 'include', headers,
      body: JSON.stringify({ username: 'simpleuser', password: ${JSON.stringify(PASSWORD)}, transmit_aid: 'spa' }),
    });
    out.login = login.status;
    out.correlation = login.headers.get('x-correlation-id');
    const refresh = await fetch(api + '/auth/refresh', { method: 'POST', credentials: 'include', headers: { 'x-client-id': 'web-banking' } });
    out.refresh = refresh.status;
    const token = (await refresh.json()).access_token;
    const me = await fetch(api + '/me/sessions', { credentials: 'include', headers: { 'x-client-id': 'web-banking', authorization: 'Bearer ' + token } });
    out.sessions = (await me.json()).sessions.length;
  } catch (err) {
    out.error = String(err);
  }
  document.getElementById('result').textContent = JSON.stringify(out);
}
run();
`;
}

async function servePage(api: () => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    if (req.url === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(clientScript(api()));
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end(CLIENT_PAGE);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let allowed: { server: Server; origin: string };
let other: { server: Server; origin: string };
beforeAll(async () => {
  allowed = await servePage(() => svc.baseUrl);
  other = await servePage(() => svc.baseUrl);
});
afterAll(() => {
  allowed?.server.close();
  other?.server.close();
});
const { svc, web } = useServiceAndBrowser(() => ({ CIAM_CORS_ORIGINS: allowed.origin }));

async function resultOf(origin: string): Promise<Record<string, unknown>> {
  const { page, context } = await web.newPage();
  await page.goto(`${origin}/`);
  await page.locator('#result:not(:empty)').waitFor({ timeout: 20_000 });
  const result = JSON.parse((await page.locator('#result').textContent())!) as Record<string, unknown>;
  await context.close();
  return result;
}

describe('CORS in the browser', () => {
  it('lets a page on an allowed origin log in, refresh with the cookie, and read x-correlation-id', async () => {
    const result = await resultOf(allowed.origin);
    expect(result).toMatchObject({ login: 201, refresh: 200, sessions: 1 });
    expect(result.correlation).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a page on an origin outside the allowlist: the browser never hands it an answer', async () => {
    const result = await resultOf(other.origin);
    expect(result.login).toBeUndefined();
    expect(String(result.error)).toContain('Failed to fetch');
  });
});
