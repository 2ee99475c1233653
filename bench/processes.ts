import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface Child {
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a server process and waits until it prints `listening <port>` (or, for the service, answers). */
export async function startListening(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Child> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr}`)));
  });
  return { port, process: child, stop: () => stopChild(child) };
}

/** Starts the service (`node dist/main.js`) on a given port and waits for /health/ready. */
export async function startService(port: number, env: NodeJS.ProcessEnv, logFile: string, nodeArgs: string[] = []): Promise<Child> {
  // The service's log (slow-request warnings under saturation) goes to a file, not over the report.
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, 'dist/main.js'], { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', log, log] });
  child.once('exit', () => closeSync(log));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the service did not become ready within 60 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  return { port, process: child, stop: () => stopChild(child) };
}

export async function runToEnd(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}`);
  return out;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
  });
}
