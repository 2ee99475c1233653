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
  close(): Promise<void>;
}

export async function startCountingProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<CountingProxy> {
  const sockets = new Set<net.Socket>();
  const clients = new Set<net.Socket>();
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
    close: async () => undefined,
  };
  const server = net.createServer((client) => {
    proxy.connections += 1;
    const upstream = net.connect(targetPort, targetHost);
    track(client);
    track(upstream);
    clients.add(client);
    client.once('close', () => clients.delete(client));
    client.on('data', (chunk) => {
      proxy.bytesFromClients += chunk.length;
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
