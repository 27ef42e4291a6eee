/**
 * A TCP proxy in front of the Temporal dev server that can make it look hung: up, connections
 * open, requests delivered — but no answer. While paused it keeps forwarding what clients send and
 * holds back what the server answers (a connection opened meanwhile gets nothing back either, not
 * even the HTTP/2 handshake); resumed, it delivers what it held and forwards again. Nothing is ever
 * closed by a pause, so a client waits exactly as it would on a hung server: until its deadline.
 */
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface PausableProxy {
  /** host:port to connect to instead of the server. */
  address: string;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startPausableProxy(target: string): Promise<PausableProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  let paused = false;
  const upstreams = new Set<Socket>();
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, host);
    sockets.add(client).add(upstream);
    upstreams.add(upstream);
    const forget = () => {
      upstreams.delete(upstream);
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    // Client → server: always forwarded.
    client.pipe(upstream);
    // Server → client: held back (unread, so the kernel buffers it) while paused.
    upstream.on('data', (chunk: Buffer) => {
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => {
      if (!paused) upstream.resume();
    });
    if (paused) upstream.pause();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    pause() {
      paused = true;
      for (const u of upstreams) u.pause();
    },
    resume() {
      paused = false;
      for (const u of upstreams) u.resume();
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
