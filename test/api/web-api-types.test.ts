import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesFrom } from '../../scripts/web-api-types.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('the hosted pages’ typed API client', () => {
  it('is generated from the OpenAPI document the service serves now (run `npm run web:api-types` when this fails)', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(readFileSync(API_TYPES_FILE, 'utf8')).toBe(await apiTypesFrom(document));
  });
});
