import { describe, expect, it } from 'vitest';
import { requestAjvOptions, tolerantValidators } from '../../src/http/request-validation.js';

const shared = { errorBody: { $id: 'errorBody', type: 'object', properties: { code: { type: 'string' } } } };
const named = (id: string) => ({ $id: id, type: 'object', properties: { name: { type: 'string' } } });

describe('request validators', () => {
  it('share one Ajv instance per kind across the plugin contexts that ask for a compiler', () => {
    const factory = tolerantValidators();
    // Fastify asks once per plugin context, each time with the same shared schemas and options.
    const first = factory(shared, requestAjvOptions);
    const second = factory(shared, requestAjvOptions);
    for (const httpPart of ['body', 'headers'] as const) {
      const schema = named(`shared-${httpPart}`);
      const compiled = first({ schema, httpPart, method: 'POST', url: '/a' });
      // An Ajv instance that already holds a schema with this $id hands back the same function.
      expect(second({ schema, httpPart, method: 'POST', url: '/b' })).toBe(compiled);
    }
  });

  it('keep applications apart', () => {
    const schema = named('per-app');
    const one = tolerantValidators()(shared, requestAjvOptions)({ schema, httpPart: 'body', method: 'POST', url: '/a' });
    const other = tolerantValidators()(shared, requestAjvOptions)({ schema, httpPart: 'body', method: 'POST', url: '/a' });
    expect(other).not.toBe(one);
  });

  it('strip unlisted properties from bodies and query strings, never from headers', () => {
    const validators = tolerantValidators()(shared, requestAjvOptions);
    const schema = { type: 'object', properties: { name: { type: 'string' } } };
    const body: Record<string, unknown> = { name: 'a', extra: 1 };
    const headers: Record<string, unknown> = { name: 'a', cookie: 'c' };
    expect(validators({ schema, httpPart: 'body', method: 'POST', url: '/a' })(body)).toBe(true);
    expect(validators({ schema: { ...schema }, httpPart: 'headers', method: 'POST', url: '/a' })(headers)).toBe(true);
    expect(body).toEqual({ name: 'a' });
    expect(headers).toEqual({ name: 'a', cookie: 'c' });
  });
});
