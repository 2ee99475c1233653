import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/errors/catalogue.js';
import { useTestApp } from '../support/test-app.js';

const t = useTestApp();
let doc: { paths: Record<string, Record<string, unknown>> };
beforeAll(async () => {
  doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
});

const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z_]+)/g, '{$1}');

describe('the OpenAPI document', () => {
  it('documents every route the service serves (HEAD aside), and nothing else', () => {
    const served = new Set(
      t.app
        .routeInventory()
        .filter((r) => r.documented && r.method !== 'HEAD')
        .map((r) => `${r.method.toLowerCase()} ${toOpenApiPath(r.url)}`),
    );
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)),
    );
    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !served.has(r))).toEqual([]);
  });

  it('leaves out only the reference page, the document itself, metrics and the hosted pages with their assets', () => {
    const hidden = t.app.routeInventory().filter((r) => !r.documented).map((r) => r.url);
    const pages = new Set(['/', '/account', '/console', '/dev/phone']);
    for (const url of hidden) {
      expect(url === '/openapi.json' || url.startsWith('/docs') || url === '/metrics' || pages.has(url) || url.startsWith('/assets/'), url).toBe(true);
    }
  });

  it('has the contract paths of the reference 2.2.0 that this build serves', () => {
    for (const path of [
      '/health',
      '/auth/login',
      '/auth/mfa/initiate',
      '/auth/mfa/otp/verify',
      '/auth/mfa/transactions/{transaction_id}',
      '/auth/mfa/transactions/{transaction_id}/approve',
      '/auth/esign/documents/{document_id}',
      '/auth/esign/accept',
      '/auth/device/bind',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
  });

  it('declares the client headers on contract operations', () => {
    const login = doc.paths['/auth/login']!.post as { parameters: { name: string; required?: boolean }[] };
    const names = login.parameters.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['x-client-id', 'x-correlation-id', 'x-app-id', 'x-app-version']));
    expect(login.parameters.find((p) => p.name === 'x-client-id')?.required).toBe(true);
  });

  it('maps every catalogue code to a 4xx or 503 status (never 500)', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(entry.status === 503 || (entry.status >= 400 && entry.status < 500), code).toBe(true);
    }
  });

  it('lets request bodies and query strings carry properties it does not list (they are ignored)', () => {
    const closed: string[] = [];
    const visit = (node: unknown, where: string) => {
      if (!node || typeof node !== 'object') return;
      if ((node as { additionalProperties?: unknown }).additionalProperties === false) closed.push(where);
      for (const [key, child] of Object.entries(node)) visit(child, `${where}/${key}`);
    };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops as Record<string, { requestBody?: unknown; parameters?: unknown }>)) {
        visit(op.requestBody, `${method} ${path} body`);
        visit(op.parameters, `${method} ${path} parameters`);
      }
    }
    expect(closed).toEqual([]);
  });

  it('documents `field` on the error body as an extension, and the text format on stored strings', () => {
    const components = (doc as unknown as { components: { schemas: Record<string, any> } }).components.schemas;
    expect(components.ErrorResponse.properties.field).toMatchObject({ type: 'string', 'x-extension': true });
    const login = (doc.paths['/auth/login']!.post as any).requestBody.content['application/json'].schema;
    expect(login.properties.device_fingerprint).toMatchObject({ type: 'string', format: 'text', maxLength: 512 });
    expect(login.additionalProperties).toBeUndefined();
  });

  it('serves an interactive reference page', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });
});
