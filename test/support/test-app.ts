import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadSettings, type Env, type Settings } from '../../src/config/settings.js';
import { createServices, type Services } from '../../src/services.js';
import { lateBound } from './late-bound.js';
import { openTestDatabase, type TestDatabase } from './test-database.js';

export const CLIENT_ID = 'web-banking';
export const GATEWAY_KEY = 'test-gateway-key-0001';
export const AGENT_SECRET = 'test-agent-secret-0001';
export const AGENT_ID = 'agent-007';

/**
 * Settings for a test: development defaults, a throwaway data dir (unless `env` names one), and the
 * given overrides. Settings that are refused leave no directory behind.
 */
export function testSettings(env: Env = {}): Settings {
  const throwaway = env.CIAM_DATA_DIR === undefined ? mkdtempSync(join(tmpdir(), 'ciam-test-')) : undefined;
  try {
    return loadSettings({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      CIAM_DATA_DIR: throwaway,
      CIAM_GATEWAY_API_KEY: GATEWAY_KEY,
      CIAM_AGENT_KEYS: `${AGENT_ID}:${AGENT_SECRET}`,
      ...env,
    });
  } catch (err) {
    if (throwaway) rmSync(throwaway, { recursive: true, force: true });
    throw err;
  }
}

export interface TestApp {
  app: FastifyInstance;
  db: TestDatabase;
  services: Services;
  settings: Settings;
  /** app.inject with the registered client id header added unless the test sets its own. */
  call(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** The whole service on a fresh database of the engine under test, reached through HTTP injection. */
export async function startTestApp(env: Env = {}, db?: TestDatabase): Promise<TestApp> {
  const settings = testSettings(env);
  const throwaway = () => {
    if (env.CIAM_DATA_DIR === undefined) rmSync(settings.dataDir, { recursive: true, force: true });
  };
  let database: TestDatabase | undefined;
  let app: FastifyInstance;
  let services: Services;
  try {
    database = db ?? (await openTestDatabase());
    services = await createServices(settings, database);
    app = await buildApp({ settings, services, logger: false });
    // Whoever closes the app — close() below, or a test that shares or closes the database itself — removes its directory.
    app.addHook('onClose', async () => throwaway());
    await app.ready();
  } catch (err) {
    // A start-up the test expects to be refused leaves no database or directory behind.
    if (!db) await database?.close();
    throwaway();
    throw err;
  }
  return {
    app,
    db: database,
    services,
    settings,
    call: (options) =>
      app.inject({ ...options, headers: { 'x-client-id': CLIENT_ID, ...(options.headers ?? {}) } }),
    async close() {
      await app.close();
      await database.close();
    },
  };
}

export interface UseTestAppOptions {
  /** The database to start on (default: a fresh one of the engine under test). */
  db?: () => Promise<TestDatabase>;
  /** How long start-up may take, where it waits for slow peers. */
  timeoutMs?: number;
}

/**
 * The whole service for the tests of one file or describe block: started in beforeAll, closed in
 * afterAll. The returned TestApp forwards to the running one, so it can be captured at once
 * (`journeyClient(t)`). `env` may be a function, read in beforeAll, when it
 * names peers that an earlier beforeAll starts.
 */
export function useTestApp(env: Env | (() => Env) = {}, options: UseTestAppOptions = {}): TestApp {
  let running: TestApp | undefined;
  beforeAll(async () => {
    running = await startTestApp(typeof env === 'function' ? env() : env, options.db ? await options.db() : undefined);
  }, options.timeoutMs);
  afterAll(async () => {
    await running?.close();
  });
  return lateBound(() => running, 'the test app');
}
