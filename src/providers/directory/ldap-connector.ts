import net from 'node:net';
import type tls from 'node:tls';
import { Client, ResultCodeError, type ClientOptions } from 'ldapts';
import type { LdapSettings } from '../../config/ldap.js';

/**
 * Opens LDAP connections as the settings ask: TLS from the first byte (ldaps://), upgraded with
 * StartTLS before anything else is sent, or plain. Every connection carries the operation and
 * connect timeouts, because a directory that accepts TCP and never answers would otherwise hang a
 * login forever.
 */
export class LdapConnector {
  private readonly host: string;
  private readonly tlsOptions: tls.ConnectionOptions;
  /** StartTLS connections whose TCP connection has closed (ldapts does not notice, see below). */
  private readonly dropped = new WeakSet<Client>();

  constructor(private readonly settings: LdapSettings) {
    this.host = new URL(settings.url).hostname.replace(/^\[(.*)\]$/, '$1');
    this.tlsOptions = {
      ca: settings.tlsCa,
      minVersion: 'TLSv1.2',
      // SNI must name a host; for an IP address the certificate is matched against its IP SANs.
      servername: net.isIP(this.host) ? undefined : this.host,
    };
  }

  async open(): Promise<Client> {
    const { url, timeoutMs, connectTimeoutMs, startTls } = this.settings;
    const options: ClientOptions = { url, timeout: timeoutMs, connectTimeout: connectTimeoutMs };
    // ldapts switches to TLS from the first byte whenever tlsOptions are given, so StartTLS
    // connections must not get them here.
    if (url.toLowerCase().startsWith('ldaps://')) options.tlsOptions = this.tlsOptions;
    if (!startTls) return new Client(options);

    // After StartTLS, ldapts keeps listening for "close" on the plain socket it replaced and so
    // still reports a dropped connection as connected; we watch the plain socket ourselves.
    let client: Client | undefined;
    options.createConnection = connectOnce(() => client && this.dropped.add(client));
    client = new Client(options);
    try {
      await withDeadline(client.startTLS({ ...this.tlsOptions, host: this.host }), timeoutMs + connectTimeoutMs);
      return client;
    } catch (err) {
      discard(client);
      throw err;
    }
  }

  /** Whether a connection from open() may still carry requests. */
  isOpen(client: Client): boolean {
    return client.isConnected && !this.dropped.has(client);
  }
}

/** Closes a connection without waiting: it is being thrown away, usually because it failed. */
export function discard(client: Client): void {
  client.unbind().catch(() => undefined);
}

/**
 * Whether an operation failed because its open connection was lost under it (reset, broken pipe,
 * closed by the peer) — not an LDAP answer, not a timeout, not a failure to connect. ldapts says
 * so only in its messages ("Socket error. …", "Connection closed before message response …");
 * its timeouts read "… timed out" and "Connection timeout".
 */
export function isDropped(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof ResultCodeError) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'EPIPE' || /^(Socket error\.|Connection closed before message response)/.test(err.message);
}

/**
 * ldapts silently reconnects a dropped connection on the next operation — without StartTLS. For
 * a StartTLS client that would send the next password in clear text, so its second connection
 * attempt fails instead; the pools then open a fresh, upgraded connection.
 */
function connectOnce(onClose: () => void): typeof net.connect {
  let used = false;
  return ((port: number, host: string) => {
    if (used) {
      const refused = new net.Socket();
      process.nextTick(() => refused.destroy(new Error('StartTLS connection dropped; not reconnecting in clear text')));
      return refused;
    }
    used = true;
    const socket = net.connect(port, host);
    socket.once('close', onClose);
    return socket;
  }) as typeof net.connect;
}

// The TLS handshake of StartTLS runs outside ldapts' own timers.
async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`StartTLS did not complete within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
