import { createServer } from 'node:net';

/**
 * A free TCP port on 127.0.0.1 below the kernel's ephemeral range (32768 and up), so no outgoing
 * connection of the load generator can take it before the server under test binds it.
 */
export async function freePort() {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}
