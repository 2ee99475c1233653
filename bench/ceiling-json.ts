import { createServer } from 'node:http';

/** Ceiling A: the fastest a Node HTTP server on this machine answers a small JSON POST. */
const body = JSON.stringify({ active: true, expires_in: 900 });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
});
