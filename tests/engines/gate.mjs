// A switch in front of the webhook receiver: a TCP forwarder on its own
// port that can be taken down (the port refuses connections, as a receiver
// that is down does) and brought back up on the same port. Unlike network
// emulation, this works the same in every engine, so the delivery tests use
// it for "the receiver is down".
import { createConnection, createServer } from 'node:net';

/** Forwards 127.0.0.1:<port> to `target` (a port); resolves to { port, origin, down(), up(), close() }. */
export async function startGate(target) {
  const sockets = new Set();
  let server = null;
  let port = 0;
  const listen = () => new Promise((ok, fail) => {
    server = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: target });
      sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    server.once('error', fail).listen(port, '127.0.0.1', () => {
      port = server.address().port;
      ok();
    });
  });
  const down = () => new Promise((ok) => {
    if (!server) return ok();
    const s = server;
    server = null;
    for (const sock of sockets) sock.destroy();
    sockets.clear();
    s.close(() => ok());
  });
  await listen();
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    get isUp() {
      return server !== null;
    },
    down,
    /** Listens again on the same port. */
    up: () => (server ? Promise.resolve() : listen()),
    close: down,
  };
}
