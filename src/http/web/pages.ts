import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Settings } from '../../config/settings.js';
import type { ConsoleOidcSettings, WebSettings } from '../../config/web.js';
import { DEMO_PENDING_DOCUMENTS, DEMO_USERS } from '../../providers/directory/demo-directory.js';
import { pageContentSecurityPolicy } from './content-security-policy.js';

/** Where `npm run build` puts the pages (Vite's output); the same from src/ under tsx and from dist/. */
export const WEB_DIST = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

/** What a page needs to know about this deployment, handed over in a <meta> tag (no inline script). */
export interface PageConfig {
  clientId: string;
  devMode: boolean;
  /** Development only: the demo directory's users, so the walkthroughs can be tried by hand. */
  demoUsers?: DemoUser[];
  /**
   * The agent console's sign-in: through the workforce IdP when `oidc` is set (preferred), else
   * with development agent keys when those are configured.
   */
  console: { devKeys: boolean; oidc?: ConsoleOidcSettings };
}

export interface DemoUser {
  username: string;
  cupid: string;
  /** What a login as this user shows, read off the demo directory itself. */
  traits: { state: string; mfa: boolean; phones: string[]; push: boolean; documents: string[] };
}

function demoUsers(): DemoUser[] {
  return Object.entries(DEMO_USERS).map(([username, u]) => ({
    username,
    cupid: u.cupid,
    traits: {
      state: u.state,
      mfa: u.mfaRequired,
      phones: u.phones.map((p) => p.number.slice(-4)),
      push: u.mobileApproveStatus === 'ENABLED',
      documents: DEMO_PENDING_DOCUMENTS[u.cupid] ?? [],
    },
  }));
}

interface Page {
  url: string;
  file: string;
  devOnly?: boolean;
  /** The page calls the workforce IdP (discovery and token endpoint) from the browser. */
  callsIdp?: boolean;
}

const PAGES: Page[] = [
  { url: '/', file: 'index.html' },
  { url: '/account', file: 'account/index.html' },
  { url: '/console', file: 'console/index.html', callsIdp: true },
  { url: '/dev/phone', file: 'dev/phone/index.html', devOnly: true },
];

const escapeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Serves the hosted pages (login, account, agent console, and in development the demo phone)
 * from the service's own origin, so the SameSite=Strict refresh cookie reaches /auth/refresh.
 * Each page answer carries its own strict Content-Security-Policy; the hashed assets are cached
 * for good. Without a build (`npm run build` makes dist/web) the pages are simply absent.
 */
export async function webPages(app: FastifyInstance, opts: { settings: Settings; web: WebSettings; clientId: string }) {
  const { settings } = opts;
  if (!existsSync(join(WEB_DIST, 'index.html'))) {
    app.log.warn({ dir: WEB_DIST }, 'hosted pages not built (npm run build): not serving them');
    return;
  }
  const config: PageConfig = {
    clientId: opts.clientId,
    devMode: settings.devMode,
    ...(settings.devMode && settings.providers.directory === 'demo' ? { demoUsers: demoUsers() } : {}),
    console: { devKeys: settings.agentKeys.size > 0, ...(opts.web.consoleOidc ? { oidc: opts.web.consoleOidc } : {}) },
  };
  const meta = `<meta name="ciam-config" content="${escapeAttribute(JSON.stringify(config))}">`;

  for (const page of PAGES) {
    if (page.devOnly && !settings.devMode) continue;
    const html = readFileSync(join(WEB_DIST, page.file), 'utf8').replace('<meta name="ciam-config" content="">', meta);
    const idpOrigin = page.callsIdp && opts.web.consoleOidc ? [new URL(opts.web.consoleOidc.issuer).origin] : [];
    const csp = pageContentSecurityPolicy(idpOrigin);
    app.get(page.url, { schema: { hide: true }, config: { public: true } }, async (_request, reply) =>
      reply
        .header('content-security-policy', csp)
        .header('x-frame-options', 'DENY')
        .header('referrer-policy', 'no-referrer')
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-cache')
        .type('text/html; charset=utf-8')
        .send(html),
    );
  }

  await app.register(async (assets) => {
    assets.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), public: true };
    });
    await assets.register(fastifyStatic, {
      root: join(WEB_DIST, 'assets'),
      prefix: '/assets/',
      wildcard: false,
      decorateReply: false,
      index: false,
      immutable: true,
      maxAge: '365d',
      setHeaders: (reply) => reply.header('x-content-type-options', 'nosniff'),
    });
  });
}
