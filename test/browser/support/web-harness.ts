import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Env } from '../../../src/config/settings.js';
import { WEB_DIST } from '../../../src/http/web/pages.js';
import { JOURNEY_TEST_ENV, PASSWORD, type OutboxMessage } from '../../support/journey-client.js';
import { lateBound } from '../../support/late-bound.js';
import { AGENT_SECRET, CLIENT_ID, startTestApp, type TestApp } from '../../support/test-app.js';

/** Debian's Chromium; Playwright never downloads a browser here. */
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(process.cwd(), 'test-results', 'web-screenshots');
export { AGENT_SECRET, PASSWORD };

export interface WebService {
  t: TestApp;
  baseUrl: string;
  close(): Promise<void>;
}

/** The whole service (engine of the browser project: PGlite), listening on a free port of 127.0.0.1. */
export async function startWebService(env: Env = {}): Promise<WebService> {
  expect(existsSync(join(WEB_DIST, 'index.html')), 'build the pages first: npm run build').toBe(true);
  const t = await startTestApp({ ...JOURNEY_TEST_ENV, CIAM_COOKIE_SECURE: 'true', ...env });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { t, baseUrl: `http://127.0.0.1:${port}`, close: () => t.close() };
}

export interface WebBrowser {
  browser: Browser;
  /** A fresh context (its own cookies and storage), recording CSP violations and page errors. */
  newPage(): Promise<{ context: BrowserContext; page: Page; problems: string[] }>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<WebBrowser> {
  // vitest.config.ts includes this project only where Chromium is installed or installable.
  expect(existsSync(CHROMIUM), 'Chromium is missing: scripts/ci-install-test-servers.sh installs it').toBe(true);
  // launch() gives the browser a fresh temporary profile of its own, removed on close.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
  return {
    browser,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
      });
      return { context, page, problems };
    },
    async close() {
      await browser.close();
    },
  };
}

/**
 * The service and a browser for the tests of one file, started together in beforeAll and closed
 * in afterAll. `env` may be a function, read in beforeAll, when it names peers an earlier
 * beforeAll starts.
 */
export function useServiceAndBrowser(env: Env | (() => Env) = {}): { svc: WebService; web: WebBrowser } {
  let svc: WebService | undefined;
  let web: WebBrowser | undefined;
  beforeAll(async () => {
    [svc, web] = await Promise.all([startWebService(typeof env === 'function' ? env() : env), launchBrowser()]);
  });
  afterAll(async () => {
    await web?.close();
    await svc?.close();
  });
  return { svc: lateBound(() => svc, 'the service'), web: lateBound(() => web, 'the browser') };
}

/** A screenshot of the whole page (or of the viewport only, for a picture in the docs). */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** GET /dev/outbox as the customer's phone reads it, newest first. */
export async function outbox(baseUrl: string, cupid: string): Promise<OutboxMessage[]> {
  const res = await fetch(`${baseUrl}/dev/outbox?cupid=${encodeURIComponent(cupid)}`, { headers: { 'x-client-id': CLIENT_ID } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: OutboxMessage[] }).messages;
}

/** The newest message of a channel, waiting for it to arrive. */
export async function newestMessage(baseUrl: string, cupid: string, channel: 'sms' | 'voice' | 'push', after = 0): Promise<OutboxMessage> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const messages = (await outbox(baseUrl, cupid)).filter((m) => m.channel === channel);
    if (messages.length > after) return messages[0]!;
    if (Date.now() > deadline) throw new Error(`no ${channel} message for ${cupid}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function messageCount(baseUrl: string, cupid: string, channel: 'sms' | 'voice' | 'push'): Promise<number> {
  return (await outbox(baseUrl, cupid)).filter((m) => m.channel === channel).length;
}

/** Fills the login form as a person would; `risk` and `device` drive the development DRS simulator. */
export async function submitCredentials(page: Page, username: string, o: { password?: string; risk?: string; device?: string } = {}): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(o.password ?? PASSWORD);
  if (o.risk) await page.getByLabel('Device risk (simulator)').selectOption(o.risk);
  if (o.device !== undefined) await page.getByLabel('Device id').fill(o.device);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** The account page after a completed sign-in: the current session is listed. */
export async function expectAccountPage(page: Page): Promise<void> {
  await page.waitForURL('**/account');
  await expect.poll(() => page.locator('[data-testid="sessions"] li.current').count(), { timeout: 15_000 }).toBe(1);
}

/** The phone's answer to a push: approve with the number the customer taps, and the secret only the phone received. */
export async function approveOnPhone(baseUrl: string, message: OutboxMessage, selectedNumber: number): Promise<void> {
  const res = await fetch(`${baseUrl}/auth/mfa/transactions/${message.transaction_id}/approve`, {
    method: 'POST',
    headers: { 'x-client-id': CLIENT_ID, 'content-type': 'application/json' },
    body: JSON.stringify({ context_id: message.context_id, selected_number: selectedNumber, approval_secret: message.approval_secret }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}
