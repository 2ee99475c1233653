import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's times (100 on Linux, but asked, not assumed). */
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU time (user + system, all threads) a process has used so far, in ms; 0 once it is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name and state.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return 0;
  }
}

/** Resident set size of a process, in MiB (VmRSS of /proc/<pid>/status). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kib === undefined ? 0 : Number(kib) / 1024;
}

/** CPU time of a set of processes between two moments; processes seen only at the end count from zero. */
export class CpuMeter {
  private readonly before = new Map<number, number>();

  constructor(private readonly pids: () => Promise<number[]> | number[]) {}

  async start(): Promise<void> {
    this.before.clear();
    for (const pid of await this.pids()) this.before.set(pid, cpuMs(pid));
  }

  /** ms of CPU since start(), summed over the processes. */
  async stop(): Promise<number> {
    const pids = new Set([...this.before.keys(), ...(await this.pids())]);
    let total = 0;
    for (const pid of pids) total += cpuMs(pid) - (this.before.get(pid) ?? 0);
    return Math.max(0, total);
  }
}

/**
 * Samples a process's RSS every `everyMs` until stopped. Samples taken while `measuring` is true
 * make the steady figure (their median); the peak is the largest of all samples. Each sample also
 * counts towards the peak of the current `phase` (the load running at that moment), so a report
 * can say which load the peak came with.
 */
export class RssSampler {
  private readonly all: number[] = [];
  private readonly underLoad: number[] = [];
  private readonly phases = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  measuring = false;
  phase = 'idle';

  constructor(pid: number, everyMs = 200) {
    this.timer = setInterval(() => {
      try {
        const mib = rssMiB(pid);
        this.all.push(mib);
        if (this.measuring) this.underLoad.push(mib);
        this.phases.set(this.phase, Math.max(mib, this.phases.get(this.phase) ?? 0));
      } catch {
        // the process has exited
      }
    }, everyMs);
    this.timer.unref();
  }

  stop(): { peak: number; steady: number; samples: number; peaks: Map<string, number> } {
    clearInterval(this.timer);
    return { peak: Math.max(0, ...this.all), steady: median(this.underLoad), samples: this.all.length, peaks: new Map(this.phases) };
  }
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** What `uptime` says: the time and the machine's 1, 5 and 15 minute load averages. */
export const uptime = () => execFileSync('uptime').toString().trim();
