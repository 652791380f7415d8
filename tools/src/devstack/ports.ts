import { createServer } from 'node:net';

/** Asks the kernel for a free loopback port. A tiny race remains until the service binds it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it resolves true or the deadline passes. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
}

/**
 * Resolves when `port` can be bound on `host`, with the reason when it cannot (EADDRINUSE: another
 * process listens there; EACCES: a privileged port).
 */
function probeBind(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
}

/**
 * The demo uses fixed ports so its URLs stay the same between runs. If something else already listens
 * on one of them, the demo would talk to that service and fail later with its answer (a foreign
 * Redis's NOAUTH, another API's 401). Checking every port first turns that into one clear message
 * naming the busy port and what the demo wanted it for. Binding the wildcard address too catches a
 * service listening on 0.0.0.0 that a loopback-only bind would not collide with on every kernel.
 */
export async function assertPortsFree(ports: Record<string, number>): Promise<void> {
  const busy: string[] = [];
  for (const [service, port] of Object.entries(ports)) {
    const reason = (await probeBind(port, '127.0.0.1')) ?? (await probeBind(port, '0.0.0.0'));
    if (reason) busy.push(`${service} port ${port} (${reason === 'EADDRINUSE' ? 'already in use' : reason})`);
  }
  if (busy.length) {
    throw new Error(
      `cannot start: ${busy.join(', ')}. Stop the process holding ${busy.length === 1 ? 'it' : 'them'} ` +
        '(e.g. `ss -ltnp`, or a previous demo still running) and try again.',
    );
  }
}
