// Bytes written as-is on a fresh connection, for what no HTTP library sends on purpose (broken framing, floods,
// duplicate headers...): the answer comes back as text.
import { connect as netConnect } from 'node:net';

export interface RawExchange {
  /** everything the server sent */
  text: string;
  /** the server closed the connection (false: still open when the wait ended) */
  closed: boolean;
  status?: number;
  code?: string;
}

/**
 * Writes `data` as-is on a fresh connection (never half-closed: Node drops a request whose client sent FIN first)
 * and collects the answer until the server closes the connection or `waitMs` passes.
 */
export function rawExchange(
  ep: { host: string; port: number },
  data: Buffer | string,
  waitMs = 5000,
): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: ep.host, port: ep.port }, () => socket.write(data));
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      const body = text.indexOf('\r\n\r\n') < 0 ? '' : text.slice(text.indexOf('\r\n\r\n') + 4);
      const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
      const out: RawExchange = { text, closed };
      if (status !== undefined) out.status = Number(status);
      if (code !== undefined) out.code = code;
      resolve(out);
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
  });
}
