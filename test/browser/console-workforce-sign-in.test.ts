import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { decodeJwt } from 'jose';
import { startWorkforceOpenIdProvider, type WorkforceOpenIdProvider } from '../support/workforce-openid-provider.js';
import { expectAccountPage, screenshot, submitCredentials, useServiceAndBrowser } from './support/web-harness.js';

/**
 * The agent console's sign-in through the workforce identity provider: OpenID Connect
 * authorization code with PKCE against a real OpenID provider (oidc-provider) on this machine,
 * whose JWT access token the agent API verifies. Development agent keys stay configured (the
 * test service's default), and the console still prefers the IdP.
 */
let idp: WorkforceOpenIdProvider;
beforeAll(async () => {
  idp = await startWorkforceOpenIdProvider();
});
afterAll(async () => {
  await idp?.close();
});
const { svc, web } = useServiceAndBrowser(() => ({
  CIAM_AGENT_JWKS_URL: idp.jwksUrl,
  CIAM_AGENT_ISSUER: idp.issuer,
  CIAM_AGENT_AUDIENCE: idp.audience,
  CIAM_CONSOLE_OIDC_ISSUER: idp.issuer,
  CIAM_CONSOLE_OIDC_CLIENT_ID: idp.clientId,
  CIAM_CONSOLE_OIDC_SCOPE: idp.scope,
  CIAM_CONSOLE_OIDC_RESOURCE: idp.audience,
}));
beforeAll(async () => {
  await idp.registerConsole(`${svc.baseUrl}/console`);
});

/** From the console's sign-in button through the IdP's login and consent screens; returns the bearer of the first agent call. */
async function signInAtIdp(page: Page, login: string): Promise<{ bearer: string; status: number }> {
  await page.goto(`${svc.baseUrl}/console`);
  await expect.poll(() => page.getByLabel('Agent key').count()).toBe(0);
  await page.getByRole('button', { name: 'Sign in with your workforce account' }).click();
  await page.waitForURL(`${idp.issuer}**`);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password the development screen takes');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  const firstAgentCall = page.waitForResponse((r) => r.url().startsWith(`${svc.baseUrl}/admin/`));
  await page.getByRole('button', { name: 'Continue' }).click();
  const response = await firstAgentCall;
  const bearer = (await response.request().headerValue('authorization'))?.replace(/^Bearer /, '') ?? '';
  return { bearer, status: response.status() };
}

describe('the agent console with the workforce identity provider', () => {
  it('serves the IdP settings to the console and lets it call the IdP under its CSP', async () => {
    const res = await fetch(`${svc.baseUrl}/console`);
    expect(res.headers.get('content-security-policy')).toContain(`connect-src 'self' ${new URL(idp.issuer).origin};`);
    // The customer pages call no IdP.
    expect((await fetch(`${svc.baseUrl}/`)).headers.get('content-security-policy')).toContain("connect-src 'self';");
  });

  it('signs an agent in (authorization code + PKCE) and looks up a customer’s sessions', async () => {
    const customer = await web.newPage();
    await customer.page.goto(`${svc.baseUrl}/`);
    await submitCredentials(customer.page, 'simpleuser', { risk: 'allow', device: 'oidc-laptop' });
    await expectAccountPage(customer.page);
    const sessionId = (await customer.page.locator('[data-testid="sessions"] li.current').getAttribute('data-session-id'))!;

    const { page: agent, problems } = await web.newPage();
    const authorize = agent.waitForRequest((r) => r.url().startsWith(`${idp.issuer}auth?`));
    authorize.catch(() => undefined); // awaited below; a failed sign-in must not also leave an unhandled rejection
    const { bearer, status } = await signInAtIdp(agent, 'agent-ada');
    const params = new URL((await authorize).url()).searchParams;
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(params.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(params.get('redirect_uri')).toBe(`${svc.baseUrl}/console`);
    expect(status).toBe(200);
    // The bearer is the IdP's JWT access token for the agent API, not a development key.
    const claims = decodeJwt(bearer);
    expect(claims).toMatchObject({ iss: idp.issuer, aud: idp.audience, sub: 'agent-ada', roles: expect.arrayContaining(['ciam-agent']) });

    // The code leaves the address bar; nothing of the sign-in stays in storage.
    await agent.waitForURL(`${svc.baseUrl}/console`);
    expect(await agent.evaluate('[sessionStorage.length, localStorage.length]')).toEqual([0, 0]);

    await agent.getByLabel('Customer id (CUPID)').fill('CUPID_SIMPLE_001');
    await agent.getByRole('button', { name: 'Find' }).click();
    await agent.locator(`tr[data-session-id="${sessionId}"]`).waitFor();
    await screenshot(agent, 'console-workforce-signed-in');
    expect(problems).toEqual([]);

    // A reload keeps no token: the agent is back at the sign-in screen.
    await agent.reload();
    await agent.getByRole('button', { name: 'Sign in with your workforce account' }).waitFor();
    await agent.context().close();
    await customer.page.context().close();
  });

  it('refuses an IdP account without the agent role (403)', async () => {
    const { page, problems } = await web.newPage();
    const { bearer, status } = await signInAtIdp(page, 'teller-tom');
    expect(decodeJwt(bearer)).toMatchObject({ iss: idp.issuer, aud: idp.audience, sub: 'teller-tom', roles: ['staff'] });
    expect(status).toBe(403);
    await page.getByRole('alert').filter({ hasText: 'Your agent account does not have access to this console.' }).waitFor();
    await expect.poll(() => page.getByLabel('Customer id (CUPID)').count()).toBe(0);
    // The same token, straight at the agent API: authenticated, but not an agent.
    const res = await fetch(`${svc.baseUrl}/admin/customers/CUPID_SIMPLE_001/sessions`, { headers: { authorization: `Bearer ${bearer}`, 'x-client-id': 'web-banking' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error_code: string }).error_code).toBe('CIAM_E00_00_003');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('tells the agent when the sign-in at the IdP did not complete', async () => {
    const { page } = await web.newPage();
    await page.goto(`${svc.baseUrl}/console`);
    await page.getByRole('button', { name: 'Sign in with your workforce account' }).click();
    await page.waitForURL(`${idp.issuer}**`);
    // The agent comes back with an answer this tab never asked for (a forged or replayed state).
    await page.goto(`${svc.baseUrl}/console?code=stolen-code&state=not-the-state-this-tab-sent`);
    await page.getByRole('alert').filter({ hasText: 'The identity provider could not be reached or gave an answer this page cannot use.' }).waitFor();
    expect(new URL(page.url()).search).toBe('');
    await page.context().close();
  });
});
