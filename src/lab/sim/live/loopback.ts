/** An HTTP server of the live lab on 127.0.0.1 at a port the system picks, and how to stop it. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Loopback {
  /** 127.0.0.1:port */
  address: string;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

export async function listenOnLoopback(server: Server): Promise<Loopback> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
