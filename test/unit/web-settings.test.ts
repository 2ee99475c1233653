import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../src/config/settings.js';
import { loadWebSettings } from '../../src/config/web-settings.js';

describe('web settings', () => {
  it('allows no other origin by default and serves the pages', () => {
    const s = loadWebSettings({});
    expect(s.corsOrigins).toEqual([]);
    expect(s.pages).toBe(true);
    expect(s.clientId).toBe('web-banking');
  });

  it('reads a comma separated list of exact origins', () => {
    const s = loadWebSettings({ CIAM_CORS_ORIGINS: 'https://app.bank.example, http://localhost:5173,https://app.bank.example' });
    expect(s.corsOrigins).toEqual(['https://app.bank.example', 'http://localhost:5173']);
  });

  it.each([
    ['*'],
    ['https://*.bank.example'],
    ['https://app.bank.example/'],
    ['https://app.bank.example/login'],
    ['app.bank.example'],
    ['ftp://app.bank.example'],
    ['https://APP.bank.example'],
    ['https://app.bank.example:443'],
  ])('refuses %s, which is not an exact origin', (entry) => {
    expect(() => loadWebSettings({ CIAM_CORS_ORIGINS: entry })).toThrow(SettingsError);
    expect(() => loadWebSettings({ CIAM_CORS_ORIGINS: entry })).toThrow(/CIAM_CORS_ORIGINS/);
  });
});
