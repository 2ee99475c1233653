import { describe, expect, it } from 'vitest';
import { sharedSerializers } from '../../src/http/response-serialization.js';

const shared = { errorBody: { $id: 'errorBody', type: 'object', properties: { code: { type: 'string' } } } };
const route = (url: string, schema: unknown) => ({ method: 'GET', url, httpStatus: '200', schema });

describe('response serializers', () => {
  it('compile a schema once however many routes and plugin contexts answer with it', () => {
    const factory = sharedSerializers();
    const first = factory(shared, {})(route('/a', { $ref: 'errorBody#' }));
    const second = factory(shared, {})(route('/b', { $ref: 'errorBody#' }));
    expect(second).toBe(first);
    expect(first({ code: 'invalid_request', secret: 'x' })).toBe('{"code":"invalid_request"}');
  });

  it('compile different schemas, or the same schema against different shared schemas, apart', () => {
    const factory = sharedSerializers();
    const body = { type: 'object', properties: { code: { type: 'string' } } };
    const one = factory(shared, {})(route('/a', body));
    expect(factory(shared, {})(route('/a', { ...body, properties: { id: { type: 'string' } } }))).not.toBe(one);
    expect(factory({}, {})(route('/a', body))).not.toBe(one);
  });
});
