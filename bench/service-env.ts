/** The gateway's API key the benches configure and present. */
export const GATEWAY_KEY = 'bench-gateway-key-000001';

/**
 * The service's environment under a bench: development mode (demo directory, DRS simulator, dev
 * outbox), logs at warn, its maintenance jobs off — and its request limits off, since one client
 * machine logging one user in hundreds of times a second is exactly what those limits stop.
 */
export function benchServiceEnv(databaseUrl: string, dataDir: string): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    CIAM_DATA_DIR: dataDir,
    CIAM_GATEWAY_API_KEY: GATEWAY_KEY,
    CIAM_RATE_LIMIT_ENABLED: 'false',
    CIAM_JOBS_ENABLED: 'false',
  };
}
