import AjvCompiler, { type Options as AjvOptions, type RouteDefinition, type ValidatorFactory } from '@fastify/ajv-compiler';
import { inputFormats } from './schemas/input-formats.js';

declare module 'fastify' {
  interface FastifySchema {
    /** Marks a route that is an addition to the reference contract (see requestAjvOptions). */
    'x-extension'?: boolean;
  }
}

interface AjvServerOptions {
  customOptions: AjvOptions;
}

/**
 * How request parts are validated: no type coercion, the first error only (allErrors invites
 * DoS), the service's own formats, and `x-extension` — which marks additions to the reference
 * contract in the OpenAPI document — as a keyword the validator ignores.
 */
export const requestAjvOptions: AjvServerOptions = {
  customOptions: {
    removeAdditional: false,
    coerceTypes: false,
    allErrors: false,
    keywords: ['x-extension'],
    formats: inputFormats,
  },
};

/**
 * Tolerant reader: a body or query property the contract does not list is ignored — removed
 * before the handler runs, so it is never stored or acted on — while wrong types and missing
 * fields still fail. Fastify's own compiler (@fastify/ajv-compiler), twice: `removeAdditional:
 * 'all'` for bodies and query strings only, since on `headers` it would delete the request's
 * real headers (cookie, authorization) and `params` are fixed by the route.
 *
 * Made once per application: Fastify asks for a validator compiler in every plugin context (ten
 * here), and each pool keeps one Ajv instance per set of shared schemas and options, so the
 * contexts share two instances instead of building two each (an Ajv instance costs tens of
 * milliseconds of start-up: its meta-schema and formats are compiled when it is made).
 *
 * With a custom compiler Fastify no longer lower-cases header names in schemas: write them in
 * lower case.
 */
export function tolerantValidators(): ValidatorFactory {
  const strippingPool = AjvCompiler();
  const exactPool = AjvCompiler();
  return (externalSchemas, options) => {
    const customOptions = (options?.customOptions ?? {}) as AjvOptions;
    const stripping = strippingPool(externalSchemas, { customOptions: { ...customOptions, removeAdditional: 'all' } });
    const exact = exactPool(externalSchemas, { customOptions });
    return (route: RouteDefinition) => (route.httpPart === 'body' || route.httpPart === 'querystring' ? stripping(route) : exact(route));
  };
}
