import { SerializerSelector, type SerializerFactory } from '@fastify/fast-json-stringify-compiler';

type Serializer = (doc: unknown) => string;

/**
 * Fastify's own response serializers (fast-json-stringify), each distinct schema compiled once per
 * application. Fastify compiles one per route and status code — over two hundred here, of about
 * thirty distinct schemas, most of them the shared error body — and a compiled serializer is a
 * pure function of its schema, the shared schemas and the options, so routes with the same
 * response share it. Compiling each one again cost about 0.1 s of every start.
 */
export function sharedSerializers(): SerializerFactory {
  const compilers = SerializerSelector();
  const compiled = new Map<string, Serializer>();
  return (externalSchemas, options) => {
    const compile = compilers(externalSchemas, options);
    const context = JSON.stringify([externalSchemas, options ?? null]);
    return (route) => {
      const key = `${context}\n${JSON.stringify(route.schema)}`;
      let serializer = compiled.get(key);
      if (!serializer) {
        serializer = compile(route);
        compiled.set(key, serializer);
      }
      return serializer;
    };
  };
}
