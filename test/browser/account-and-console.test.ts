import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { AGENT_SECRET, PASSWORD, expectAccountPage, screenshot, submitCredentials, useServiceAndBrowser } from './support/web-harness.js';

/**
 * The customer's account page (sessions and their revocation, logout) and the agent console
 * (walkthrough 7: an agent revokes a session, and the customer's page shows it gone).
 */
const { svc, web } = useServiceAndBrowser();

async function signedIn(username: string, device: string): Promise<{ page: Page; sessionId: string }> {
  const { page } = await web.newPage();
  await page.goto(`${svc.baseUrl}/`);
  await submitCredentials(page, username, { risk: 'allow', device });
  await expectAccountPage(page);
  const sessionId = (await page.locator('[data-testid="sessions"] li.current').getAttribute('data-session-id'))!;
  return { page, sessionId };
}

const listedSessions = (page: Page) => page.locator('[data-testid="sessions"] li').evaluateAll((items) => items.map((i) => i.getAttribute('data-session-id')));

describe('the account page', () => {
  it('lists the customer’s sessions, ends another one, and signs out', async () => {
    const laptop = await signedIn('simpleuser', 'acct-laptop');
    const phone = await signedIn('simpleuser', 'acct-phone');
    await laptop.page.reload();
    await expectAccountPage(laptop.page);
    expect(await listedSessions(laptop.page)).toEqual(expect.arrayContaining([laptop.sessionId, phone.sessionId]));
    await screenshot(laptop.page, 'account-two-sessions');

    // End the phone's session from the laptop.
    await laptop.page.locator(`li[data-session-id="${phone.sessionId}"]`).getByRole('button', { name: /^Sign out / }).click();
    await laptop.page.getByRole('status').filter({ hasText: 'That session is signed out.' }).waitFor();
    expect(await listedSessions(laptop.page)).not.toContain(phone.sessionId);

    // The phone's page finds itself signed out at its next load.
    await phone.page.reload();
    await phone.page.getByRole('heading', { name: 'You are signed out.' }).waitFor();

    // Logout ends the laptop's session too and clears the cookie.
    await laptop.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await laptop.page.getByRole('heading', { name: 'You are signed out.' }).waitFor();
    expect((await laptop.page.context().cookies()).find((c) => c.name === 'refresh_token')).toBeUndefined();
    await laptop.page.reload();
    await laptop.page.getByRole('heading', { name: 'You are signed out.' }).waitFor();
    await screenshot(laptop.page, 'account-signed-out');
    await laptop.page.context().close();
    await phone.page.context().close();
  });

  it('signs out everywhere else in one click', async () => {
    const here = await signedIn('simpleuser', 'others-here');
    const there = await signedIn('simpleuser', 'others-there');
    await here.page.reload();
    await expectAccountPage(here.page);
    await here.page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await here.page.getByRole('status').filter({ hasText: /^Signed out \d+ other sessions?\.$/ }).waitFor();
    expect(await listedSessions(here.page)).toEqual([here.sessionId]);
    await here.page.getByText('You are not signed in anywhere else.').waitFor();
    await there.page.reload();
    await there.page.getByRole('heading', { name: 'You are signed out.' }).waitFor();
    await here.page.context().close();
    await there.page.context().close();
  });
});

describe('the agent console (walkthrough 7)', () => {
  it('signs an agent in with a development key, finds the customer, revokes a session with a reason; the customer’s page shows it gone', async () => {
    const laptop = await signedIn('simpleuser', 'w7-laptop');
    const tablet = await signedIn('simpleuser', 'w7-tablet');

    const { page: agent, problems } = await web.newPage();
    await agent.goto(`${svc.baseUrl}/console`);
    await screenshot(agent, 'console-sign-in');
    await agent.getByLabel('Agent key').fill('not-the-right-agent-key');
    await agent.getByRole('button', { name: 'Sign in' }).click();
    await agent.getByRole('alert').filter({ hasText: 'Please sign in as an agent.' }).waitFor();
    await agent.getByLabel('Agent key').fill(AGENT_SECRET);
    await agent.getByRole('button', { name: 'Sign in' }).click();

    await agent.getByLabel('Customer id (CUPID)').fill('CUPID_SIMPLE_001');
    await agent.getByRole('button', { name: 'Find' }).click();
    const row = agent.locator(`tr[data-session-id="${tablet.sessionId}"]`);
    await row.waitFor();
    await expect.poll(() => agent.locator(`tr[data-session-id="${laptop.sessionId}"]`).count()).toBe(1);

    // No reason, no change.
    await row.getByRole('button', { name: /^Revoke session/ }).click();
    await agent.getByRole('alert').filter({ hasText: 'Give a reason' }).waitFor();
    await agent.getByLabel('Reason for the change').fill('customer reported a lost tablet');
    await row.getByRole('button', { name: /^Revoke session/ }).click();
    await agent.getByRole('status').filter({ hasText: /^Revoked; \d+ tokens revoked\.$/ }).waitFor();
    await expect.poll(() => agent.locator(`tr[data-session-id="${tablet.sessionId}"]`).count()).toBe(0);
    // The audit timeline shows the revocation.
    await expect.poll(() => agent.locator('tbody tr', { hasText: 'SESSION_REVOKED' }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await screenshot(agent, 'console-customer');
    await agent.setViewportSize({ width: 1280, height: 1000 });
    await screenshot(agent, 'console-customer-top', false);

    // The customer's account page (another browser) no longer lists the tablet's session…
    await laptop.page.reload();
    await expectAccountPage(laptop.page);
    expect(await listedSessions(laptop.page)).not.toContain(tablet.sessionId);
    // …and the tablet itself is signed out.
    await tablet.page.reload();
    await tablet.page.getByRole('heading', { name: 'You are signed out.' }).waitFor();
    expect(problems).toEqual([]);
    await agent.context().close();
    await laptop.page.context().close();
    await tablet.page.context().close();
  });

  it('lists high-risk logins (a DRS DENY refused on the login page) and pages the audit timeline', async () => {
    const { page: customer } = await web.newPage();
    await customer.goto(`${svc.baseUrl}/`);
    await submitCredentials(customer, 'simpleuser', { risk: 'deny', device: 'risky-device' });
    await customer.getByRole('alert').filter({ hasText: 'We could not sign you in from this device or network.' }).waitFor();
    await customer.context().close();
    // Enough of the customer's events for more than one page of 10 (two audit rows per login).
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${svc.baseUrl}/auth/login`, {
        method: 'POST',
        headers: { 'x-client-id': 'web-banking', 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'simpleuser', password: PASSWORD, transmit_aid: 'api', drs_action_token: 'sim:allow:api-device' }),
      });
      expect(res.status).toBe(201);
    }

    const { page: agent } = await web.newPage();
    await agent.goto(`${svc.baseUrl}/console`);
    await agent.getByLabel('Agent key').fill(AGENT_SECRET);
    await agent.getByRole('button', { name: 'Sign in' }).click();
    const risky = agent.locator('section', { has: agent.getByRole('heading', { name: 'High-risk logins' }) }).locator('tbody tr', { hasText: 'CUPID_SIMPLE_001' });
    await expect.poll(() => risky.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await risky.first().textContent()).toContain('95');
    await risky.first().getByRole('button', { name: 'CUPID_SIMPLE_001' }).click();
    await agent.getByRole('heading', { name: 'CUPID_SIMPLE_001' }).waitFor();

    // Pages of 10, then the older ones.
    const audit = agent.locator('section[data-cupid] .table-wrap').nth(2).locator('tbody tr');
    await agent.getByLabel('Per page').selectOption('10');
    await agent.locator('section[data-cupid]').getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => audit.count(), { timeout: 10_000 }).toBe(10);
    await agent.getByRole('button', { name: 'Older events' }).click();
    await expect.poll(() => audit.count(), { timeout: 10_000 }).toBeGreaterThan(10);
    // A time range in the future holds nothing.
    await agent.getByLabel('From').fill('2099-01-01T00:00');
    await agent.locator('section[data-cupid]').getByRole('button', { name: 'Show' }).click();
    await agent.getByText('No events in this range.').waitFor();
    await agent.context().close();
  });
});
