import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../src/http/web/pages.js';
import { startTestApp, useTestApp } from '../support/test-app.js';

/** The hosted pages as HTTP answers (their behaviour in a browser is tested in test/browser). */
beforeAll(() => {
  expect(existsSync(join(WEB_DIST, 'index.html')), 'build the pages first: npm run build').toBe(true);
});
const t = useTestApp();

describe('the hosted pages', () => {
  it('are served without x-client-id (a browser opening a page sends none), with the page configuration in a meta tag', async () => {
    for (const url of ['/', '/account', '/console', '/dev/phone']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      const config = JSON.parse(
        /<meta name="ciam-config" content="([^"]*)">/.exec(res.body)![1]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
      );
      expect(config).toMatchObject({ clientId: 'web-banking', devMode: true, console: { devKeys: true } });
      expect(config.demoUsers.map((u: { username: string }) => u.username)).toContain('mfauser');
    }
  });

  it('leave the API as it was: an unknown path still answers the catalogue’s 404', async () => {
    const res = await t.call({ method: 'GET', url: '/no-such-page' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error_code: 'CIAM_E00_00_006' });
  });
});

describe('pages switched off or misconfigured', () => {
  it('serves no page with CIAM_WEB_PAGES=false', async () => {
    const off = await startTestApp({ CIAM_WEB_PAGES: 'false' });
    try {
      expect((await off.app.inject({ method: 'GET', url: '/' })).statusCode).toBe(404);
      expect((await off.app.inject({ method: 'GET', url: '/account' })).statusCode).toBe(404);
    } finally {
      await off.close();
    }
  });

  it('refuses to start when the pages’ client id is not a registered client', async () => {
    await expect(startTestApp({ CIAM_WEB_CLIENT_ID: 'not-registered' })).rejects.toThrow(/CIAM_WEB_CLIENT_ID/);
  });
});
