import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/test-app.js';

const t = useTestApp();
type Operation = { tags?: string[]; summary?: string; responses?: Record<string, unknown>; 'x-extension'?: boolean };
let paths: Record<string, Record<string, Operation>>;
beforeAll(async () => {
  paths = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json().paths;
});

const contract = [
  ['post', '/auth/refresh'],
  ['post', '/auth/logout'],
  ['post', '/auth/token/verify'],
  ['get', '/.well-known/jwks.json'],
] as const;

const extensions = [
  ['get', '/.well-known/openid-configuration'],
  ['get', '/userinfo'],
  ['get', '/me/sessions'],
  ['delete', '/me/sessions/{session_id}'],
  ['post', '/me/sessions/revoke-others'],
  ['get', '/me/devices'],
  ['delete', '/me/devices/{device_id}'],
  ['post', '/admin/sessions/revoke'],
  ['post', '/admin/customers/{cupid}/sessions/revoke'],
  ['get', '/admin/customers/{cupid}/sessions'],
  ['get', '/admin/customers/{cupid}/devices'],
  ['post', '/admin/devices/revoke'],
  ['get', '/admin/customers/{cupid}/audit'],
  ['get', '/admin/high-risk-logins'],
  ['get', '/admin/jobs/runs'],
] as const;

describe('the OpenAPI document for sessions and tokens', () => {
  it('documents each operation with tags, a summary, a 200 and its 401', () => {
    for (const [method, path] of [...contract, ...extensions]) {
      const op = paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op!.tags?.length, `${method} ${path} tags`).toBeGreaterThan(0);
      expect(op!.summary, `${method} ${path} summary`).toBeTruthy();
      expect(Object.keys(op!.responses ?? {}), `${method} ${path} responses`).toEqual(expect.arrayContaining(['200', '401']));
    }
  });

  it('marks the additions to the contract as extensions, and only those', () => {
    for (const [method, path] of extensions) expect(paths[path]![method]!['x-extension'], `${method} ${path}`).toBe(true);
    for (const [method, path] of contract) expect(paths[path]![method]!['x-extension'], `${method} ${path}`).toBeUndefined();
  });

  it('documents the agent routes as 403 when the role is missing', () => {
    for (const [method, path] of extensions.filter(([, p]) => p.startsWith('/admin'))) {
      expect(Object.keys(paths[path]![method]!.responses ?? {}), `${method} ${path}`).toContain('403');
    }
  });
});
