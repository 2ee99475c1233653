import net from 'node:net';

/**
 * A TCP relay in front of a test server that counts what clients send through it — to prove that
 * an adapter did (or did not) talk to its server.
 */
export interface CountingProxy {
  url(scheme: string): string;
  /** Client connections accepted so far. */
  connections: number;
  /** Client connections open now. */
  readonly open: number;
  bytesFromClients: number;
  /**
   * Forgets the open connections as a firewall or load balancer does after long idleness: the
   * server's side is closed and the client is told nothing; what it sends next is answered with
   * a reset (`reset`), or never answered at all (`silence`).
   */
  forgetConnections(then: 'reset' | 'silence'): void;
  /**
   * From now on, reset each new connection once its client has sent this many chunks (still
   * counted): 0, as soon as it is accepted (a server that is down); 1, at its second request
   * (one that fails mid-conversation). Undefined: relay.
   */
  resetNewAfter?: number;
  close(): Promise<void>;
}

export async function startCountingProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<CountingProxy> {
  const sockets = new Set<net.Socket>();
  const clients = new Set<net.Socket>();
  const relays = new Set<Relay>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const proxy: CountingProxy = {
    url: () => '',
    connections: 0,
    get open() {
      return clients.size;
    },
    bytesFromClients: 0,
    forgetConnections: (then) => {
      for (const relay of relays) cut(relay, then);
    },
    close: async () => undefined,
  };
  const cut = (relay: Relay, then: 'reset' | 'silence') => {
    const { client, upstream } = relay;
    relays.delete(relay);
    client.unpipe(upstream);
    upstream.unpipe(client);
    upstream.destroy();
    client.on('data', () => {
      if (then === 'reset') client.resetAndDestroy();
    });
    // Unpiping paused it; keep reading, as the network would.
    client.resume();
  };
  const server = net.createServer((client) => {
    proxy.connections += 1;
    const resetAfter = proxy.resetNewAfter;
    if (resetAfter === 0) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    track(client);
    track(upstream);
    clients.add(client);
    const relay = { client, upstream };
    relays.add(relay);
    client.once('close', () => {
      clients.delete(client);
      relays.delete(relay);
    });
    let chunks = 0;
    client.on('data', (chunk) => {
      proxy.bytesFromClients += chunk.length;
      // Heard before the relay's own listener, which then finds the upstream closed.
      if (resetAfter !== undefined && ++chunks > resetAfter && relays.has(relay)) {
        cut(relay, 'reset');
        client.resetAndDestroy();
      }
    });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as net.AddressInfo;
  proxy.url = (scheme) => `${scheme}://127.0.0.1:${port}`;
  proxy.close = () =>
    new Promise((done) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => done());
    });
  return proxy;
}

interface Relay {
  client: net.Socket;
  upstream: net.Socket;
}

/** A server that accepts connections and never answers: the directory that hangs. */
export async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ldap://127.0.0.1:${port}`,
    close: () =>
      new Promise((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}
