import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServer {
  readonly port: number;
  readonly close: () => Promise<void>;
}

/** `GET /metrics`, `/healthz` (process alive) and `/readyz` (the given check passes). */
export const startHealthServer = async (opts: {
  readonly port: number;
  readonly registry: Registry;
  readonly ready: () => Promise<boolean>;
}): Promise<HealthServer> => {
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, { 'content-type': type }).end(body);
    };
    switch (req.url ?? '') {
      case '/metrics':
        opts.registry.metrics().then(
          (text) => {
            reply(200, text, opts.registry.contentType);
          },
          (error: unknown) => {
            reply(500, String(error));
          },
        );
        return;
      case '/healthz':
        reply(200, 'ok\n');
        return;
      case '/readyz':
        opts.ready().then(
          (ok) => {
            reply(ok ? 200 : 503, ok ? 'ready\n' : 'not ready\n');
          },
          () => {
            reply(503, 'not ready\n');
          },
        );
        return;
      default:
        reply(404, 'not found\n');
    }
  });
  await new Promise<void>((resolve) => server.listen(opts.port, '0.0.0.0', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
};
