import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a process's main thread spent its time, from the `.cpuprofile` that `node --cpu-prof`
 * writes at exit. Each sample is charged to the innermost package or service source directory on
 * its stack — time in V8's built-ins and Node's internals (crypto, sockets, streams) goes to the
 * code that called them — or, when there is none, to the Node module it was in. Only samples
 * inside the given windows (µs of the system's monotonic clock, as process.hrtime gives it) count.
 * V8 samples wall time: idle time shows as idle, and a thread the OS preempted often makes what it
 * was doing then look larger.
 */
export interface Window {
  startUs: number;
  endUs: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export function summariseProfiles(dir: string, windows: Window[]): { what: string; share: number }[] {
  const counts = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
    const where = owners(profile.nodes);
    let t = profile.startTime;
    profile.samples.forEach((id, i) => {
      t += profile.timeDeltas[i] ?? 0;
      if (!windows.some((w) => t >= w.startUs && t < w.endUs)) return;
      const what = where.get(id) ?? '?';
      counts.set(what, (counts.get(what) ?? 0) + 1);
      total++;
    });
  }
  return [...counts.entries()].map(([what, n]) => ({ what, share: n / Math.max(1, total) })).sort((a, b) => b.share - a.share);
}

/** Each node's category: its own when it is code of a package or of the service, else its caller's. */
function owners(nodes: ProfileNode[]): Map<number, string> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const result = new Map<number, string>();
  const visit = (id: number, inherited: string | undefined) => {
    const node = byId.get(id)!;
    const own = category(node.callFrame);
    const owner = ownsWork(own) ? own : (inherited ?? own);
    result.set(id, owner);
    for (const child of node.children ?? []) visit(child, ownsWork(own) ? own : inherited);
  };
  const children = new Set(nodes.flatMap((n) => n.children ?? []));
  for (const root of nodes.filter((n) => !children.has(n.id))) visit(root.id, undefined);
  return result;
}

const ownsWork = (what: string) => !what.startsWith('node: ') && !SPECIAL.has(what);
const SPECIAL = new Set(['idle (waiting for the network)', 'garbage collection', 'V8 and native code outside JavaScript', 'V8 built-ins', '(root)']);

function category({ functionName, url }: ProfileNode['callFrame']): string {
  if (!url) {
    if (functionName === '(idle)') return 'idle (waiting for the network)';
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(program)') return 'V8 and native code outside JavaScript';
    if (functionName === '(root)') return '(root)';
    return 'V8 built-ins';
  }
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg) return pkg;
  const own = /\/dist\/([^/]+)(?:\/([^/]+))?\//.exec(url);
  if (own) return `service: ${own[1]}${own[2] && !own[2].endsWith('.js') ? `/${own[2]}` : ''}`;
  const internal = /^node:(?:internal\/)?([^/]+)/.exec(url)?.[1];
  return internal ? `node: ${internal.replace(/\.js$/, '')}` : url;
}
