import autocannon from 'autocannon';

export interface Figure {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  requests: number;
}

export interface Load {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A fresh request per call: body and extra headers. */
  next?: () => { body?: string; headers?: Record<string, string> };
  connections: number;
  seconds: number;
}

async function run(load: Load, seconds: number) {
  const base = { method: load.method ?? 'POST', headers: { ...load.headers } };
  return autocannon({
    url: load.url,
    connections: load.connections,
    duration: seconds,
    requests: [
      {
        ...base,
        setupRequest: (req) => {
          const n = load.next?.() ?? {};
          // content-type only with a body: Fastify refuses an empty JSON body.
          const json = n.body !== undefined ? { 'content-type': 'application/json' } : {};
          return { ...req, ...(n.body !== undefined ? { body: n.body } : {}), headers: { ...base.headers, ...json, ...n.headers } };
        },
      },
    ],
  });
}

/** Called around the measured run only (not the warm-up): CPU and memory meters hook in here. */
export interface MeasuredWindow {
  started(): Promise<void> | void;
  ended(): Promise<void> | void;
}

/** One figure: a one-second warm-up (discarded), then the measured run. */
export async function measure(name: string, load: Load, window?: MeasuredWindow): Promise<Figure> {
  await run(load, 1);
  await window?.started();
  const r = await run(load, load.seconds);
  await window?.ended();
  return {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    requests: r.requests.total,
  };
}
