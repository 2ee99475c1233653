import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CUPIDS } from '../support/journey-client.js';
import { approveOnPhone, expectAccountPage, messageCount, newestMessage, screenshot, submitCredentials, useServiceAndBrowser } from './support/web-harness.js';

/**
 * The eight acceptance walkthroughs (SPEC §6) clicked through the hosted pages in Chromium. The
 * customer's phone is played by the test: codes and push approvals come from the dev outbox.
 */
const { svc, web } = useServiceAndBrowser();

/** A fresh browser at the login page, credentials submitted with DRS ALLOW for `device`. */
async function signInAs(username: string, device: string) {
  const opened = await web.newPage();
  await opened.page.goto(`${svc.baseUrl}/`);
  await submitCredentials(opened.page, username, { risk: 'allow', device });
  return opened;
}

/** "Not now" to the offer to trust the browser (it follows MFA); the account page, no CSP or script problem. */
async function declineTrustAndLand(page: Page, problems: string[], offerTimeout?: { timeout: number }) {
  await page.getByRole('heading', { name: 'Trust this browser?' }).waitFor(offerTimeout);
  await page.getByRole('button', { name: 'Not now' }).click();
  await expectAccountPage(page);
  expect(problems).toEqual([]);
  await page.context().close();
}

describe('the eight walkthroughs through the hosted pages', () => {
  it('1 — simple login (DRS ALLOW) lands on the account page with this browser marked', async () => {
    const { page, problems } = await web.newPage();
    await page.goto(`${svc.baseUrl}/`);
    await screenshot(page, 'login');
    await submitCredentials(page, 'simpleuser', { risk: 'allow', device: 'wt1-browser' });
    await expectAccountPage(page);
    await expect.poll(() => page.locator('[data-testid="sessions"] li.current .badge').textContent()).toBe('This browser');
    // The access token lives in memory only.
    const stored = await page.evaluate('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })');
    expect(stored).not.toMatch(/access_token|[A-Za-z0-9_-]{40,}/);
    await screenshot(page, 'account');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('2 — MFA by SMS, right code first', async () => {
    const { page, problems } = await signInAs('mfauser', 'wt2-browser');
    await page.getByRole('heading', { name: 'Confirm it’s you' }).waitFor();
    await screenshot(page, 'mfa-choice');
    await page.getByLabel('Text message to ••••\u00a01234').check();
    const before = await messageCount(svc.baseUrl, CUPIDS.mfauser, 'sms');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await expect.poll(() => page.getByText('We sent a 6-digit code by text message to ••••\u00a01234.').count()).toBe(1);
    const sms = await newestMessage(svc.baseUrl, CUPIDS.mfauser, 'sms', before);
    await page.getByLabel('One-time code').fill(sms.code!);
    await screenshot(page, 'otp-entry');
    await page.getByRole('button', { name: 'Verify' }).click();
    // The bind offer follows MFA for a device that is not trusted yet; "Not now" still signs in.
    await declineTrustAndLand(page, problems);
  });

  it('3 — MFA by SMS, a wrong code then the right one: the retry step is initiated again and a new code sent', async () => {
    const { page, problems } = await signInAs('nopushuser', 'wt3-browser');
    await page.getByRole('heading', { name: 'Confirm it’s you' }).waitFor();
    // No push for this customer: only the phone ending 4321, by text or voice.
    await expect.poll(() => page.getByRole('radio').count()).toBe(2);
    const before = await messageCount(svc.baseUrl, CUPIDS.nopushuser, 'sms');
    await page.getByRole('button', { name: 'Continue' }).click();
    const first = await newestMessage(svc.baseUrl, CUPIDS.nopushuser, 'sms', before);
    await page.getByLabel('One-time code').fill(first.code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').filter({ hasText: 'That code is not right. We sent you a new one.' }).waitFor();
    await screenshot(page, 'otp-wrong-code');
    const second = await newestMessage(svc.baseUrl, CUPIDS.nopushuser, 'sms', before + 1);
    expect(second.transaction_id).not.toBe(first.transaction_id);
    await page.getByLabel('One-time code').fill(second.code!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await declineTrustAndLand(page, problems);
  });

  it('4 — MFA by push: the number is shown, the phone approves it, the page signs in at its next poll', async () => {
    const { page, problems } = await signInAs('mfauser', 'wt4-browser');
    await page.getByLabel('Approve in the banking app on your phone').check();
    const before = await messageCount(svc.baseUrl, CUPIDS.mfauser, 'push');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Approve on your phone' }).waitFor();
    const shown = Number(await page.locator('.display-number').textContent());
    expect(shown).toBeGreaterThanOrEqual(1);
    expect(shown).toBeLessThanOrEqual(99);
    await screenshot(page, 'push-approval');
    const push = await newestMessage(svc.baseUrl, CUPIDS.mfauser, 'push', before);
    // The customer taps the number the browser shows.
    await approveOnPhone(svc.baseUrl, push, shown);
    // The page learns of the approval at its next poll.
    await declineTrustAndLand(page, problems, { timeout: 15_000 });
  });

  it('5 — MFA → eSign (document shown in full, accepted) → device bind accepted; the account page lists the device', async () => {
    const { page, problems } = await signInAs('esignuser', 'wt5-trusted-browser');
    const before = await messageCount(svc.baseUrl, CUPIDS.esignuser, 'sms');
    await page.getByRole('button', { name: 'Continue' }).click();
    const sms = await newestMessage(svc.baseUrl, CUPIDS.esignuser, 'sms', before);
    await page.getByLabel('One-time code').fill(sms.code!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Accept the terms' }).waitFor();
    await page.getByRole('heading', { name: 'Online Banking Terms and Conditions' }).waitFor();
    const documentText = await page.locator('.document').textContent();
    const served = (await (await fetch(`${svc.baseUrl}/auth/esign/documents/terms-v1-2025`, { headers: { 'x-client-id': 'web-banking' } })).json()) as { content: string };
    // Shown in full: every sentence of the document is on the page.
    for (const sentence of served.content.split(/(?<=[.;:])\s+/)) expect(documentText).toContain(sentence.trim());
    await screenshot(page, 'esign');
    await page.getByRole('button', { name: 'I accept' }).click();
    await page.getByRole('heading', { name: 'Trust this browser?' }).waitFor();
    await screenshot(page, 'device-bind');
    await page.getByRole('button', { name: 'Trust this browser' }).click();
    await expectAccountPage(page);
    await expect.poll(() => page.locator('[data-testid="devices"] li').count()).toBe(1);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('6 — token refresh: a reload restores the session through the HttpOnly refresh cookie, which rotates', async () => {
    const { page, context, problems } = await web.newPage();
    await page.goto(`${svc.baseUrl}/`);
    await submitCredentials(page, 'simpleuser', { risk: 'allow', device: 'wt6-browser' });
    await expectAccountPage(page);
    const cookieBefore = (await context.cookies()).find((c) => c.name === 'refresh_token');
    expect(cookieBefore).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    const refreshes: number[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/auth/refresh')) refreshes.push(r.status());
    });
    await page.reload();
    await expectAccountPage(page);
    expect(refreshes).toEqual([200]);
    const cookieAfter = (await context.cookies()).find((c) => c.name === 'refresh_token');
    expect(cookieAfter?.value).toBeDefined();
    expect(cookieAfter?.value).not.toBe(cookieBefore?.value);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('8 — login from the device trusted in walkthrough 5: no MFA, straight to the account page', async () => {
    const { page, problems } = await web.newPage();
    await page.goto(`${svc.baseUrl}/`);
    const steps: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/auth/mfa/')) steps.push(r.url());
    });
    await submitCredentials(page, 'esignuser', { risk: 'allow', device: 'wt5-trusted-browser' });
    await expectAccountPage(page);
    expect(steps).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
