import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/test-app.js';

const t = useTestApp();

describe('HTTP plumbing', () => {
  it('GET /health answers OK with a timestamp', async () => {
    const res = await t.call({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('OK');
    expect(Number.isNaN(Date.parse(body.timestamp))).toBe(false);
  });

  it('GET /health/ready reports the database and migrations, without a client id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'READY', checks: { database: true, migrations: true, accepting: true } });
  });

  it('refuses a missing or unknown x-client-id with 401 before any work', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/health' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toEqual({ error_code: 'CIAM_E00_00_001' });
    const unknown = await t.call({ method: 'GET', url: '/health', headers: { 'x-client-id': 'evil-app' } });
    expect(unknown.statusCode).toBe(401);
  });

  it('echoes a given correlation id and generates one when absent', async () => {
    const id = '2f1c7f7e-6a57-4c55-9b0e-3d0c7a8c1a11';
    const given = await t.call({ method: 'GET', url: '/health', headers: { 'x-correlation-id': id } });
    expect(given.headers['x-correlation-id']).toBe(id);
    const generated = await t.call({ method: 'GET', url: '/health' });
    expect(generated.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a correlation id that is not a UUID with 400 CIAM_E01_05_001', async () => {
    const res = await t.call({ method: 'GET', url: '/health', headers: { 'x-correlation-id': 'not-a-uuid' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error_code).toBe('CIAM_E01_05_001');
  });

  it('answers an unknown route with 404 in the error shape', async () => {
    const res = await t.call({ method: 'POST', url: '/no/such/route' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error_code: 'CIAM_E00_00_006' });
  });

  it('serves its OpenAPI document', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().openapi).toBe('3.0.3');
  });
});
