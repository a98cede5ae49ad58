import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ipBytes, tableEndpoint, tableEntries, TcpStatePoller } from './tcp-state.js';

// lines as Linux prints them (the header, then `sl local remote st ...`), from a machine with a mock on port 36155
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:8D3B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 48278 1 0000000048599d91 100 0 0 10 0
   1: 0100007F:8D3B 0100007F:A534 08 00000000:0000C000 00:00000000 00000000     0        0 47678 1 000000002b74c5ee 20 4 30 14 -1
   2: 0100007F:8D3B 0100007F:A53E 01 00000000:00010000 00:00000000 00000000     0        0 47679 1 00000000678064d1 20 4 4 16 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000100007F:8D3B 0000000000000000FFFF00000100007F:A534 08 00000000:00000000 00:00000000 00000000     0        0 47678 2 000000002b74c5ee 20 4 30 14 -1
   1: 00000000000000000000000001000000:8D3B 00000000000000000000000001000000:A540 08 00000000:00000000 00:00000000 00000000     0        0 47680 2 000000002b74c5ee 20 4 30 14 -1
`;

describe('the /proc/net/tcp{,6} format', () => {
  it('parses IPv4, IPv6 and IPv4-mapped addresses to network-order bytes', () => {
    expect([...ipBytes('127.0.0.1')!]).toEqual([127, 0, 0, 1]);
    expect(ipBytes('::1')!.toString('hex')).toBe('00000000000000000000000000000001');
    expect(ipBytes('::ffff:127.0.0.1')!.toString('hex')).toBe('00000000000000000000ffff7f000001');
    expect(ipBytes('fe80::1:2%eth0')!.toString('hex')).toBe('fe800000000000000000000000010002');
    expect(ipBytes('2001:db8:0:0:1:0:0:1')!.toString('hex')).toBe('20010db8000000000001000000000001');
    expect(ipBytes('localhost')).toBeUndefined();
  });

  it('prints endpoints as the kernel does: host-order 32-bit words, upper-case hex', () => {
    expect(tableEndpoint('127.0.0.1', 36155, true)).toBe('0100007F:8D3B');
    expect(tableEndpoint('127.0.0.1', 36155, false)).toBe('7F000001:8D3B');
    expect(tableEndpoint('::ffff:127.0.0.1', 42292, true)).toBe('0000000000000000FFFF00000100007F:A534');
    expect(tableEndpoint('::1', 80, true)).toBe('00000000000000000000000001000000:0050');
    expect(tableEndpoint('127.0.0.1', 70000)).toBeUndefined();
  });

  it('reads local, remote and state from each line after the header', () => {
    expect([...tableEntries(TCP)].map((e) => `${e.local} ${e.remote} ${e.state}`)).toEqual([
      '0100007F:8D3B 00000000:0000 0A',
      '0100007F:8D3B 0100007F:A534 08',
      '0100007F:8D3B 0100007F:A53E 01',
    ]);
  });
});

describe('TcpStatePoller', () => {
  const ends = (remotePort: number, v6 = false): net.Socket =>
    ({
      localAddress: v6 ? '::ffff:127.0.0.1' : '127.0.0.1',
      localPort: 36155,
      remoteAddress: v6 ? '::ffff:127.0.0.1' : '127.0.0.1',
      remotePort,
    }) as net.Socket;

  it('reports the watched connections in CLOSE_WAIT, once, reading each needed table once per poll', async () => {
    const reads: string[] = [];
    const poller = new TcpStatePoller(async (path) => {
      reads.push(path);
      return path.endsWith('6') ? TCP6 : TCP;
    }, 1);
    const closed: string[] = [];
    poller.watch(ends(0xa534), () => closed.push('v4 a534'));
    poller.watch(ends(0xa53e), () => closed.push('v4 a53e (established)'));
    poller.watch(ends(0xa534, true), () => closed.push('v6 a534'));
    await new Promise((r) => setTimeout(r, 50));
    expect(closed.sort()).toEqual(['v4 a534', 'v6 a534']);
    expect(poller.active).toBe(true); // the established one is still watched
    expect(new Set(reads)).toEqual(new Set(['/proc/net/tcp', '/proc/net/tcp6']));
  });

  it('reads nothing once nothing is watched, and gives up quietly without /proc', async () => {
    let reads = 0;
    const poller = new TcpStatePoller(async () => {
      reads++;
      throw new Error('ENOENT');
    }, 1);
    const stop = poller.watch(ends(1), () => expect.unreachable());
    await new Promise((r) => setTimeout(r, 30));
    expect([reads, poller.active]).toEqual([1, false]);
    stop();
    poller.watch(ends(2), () => expect.unreachable());
    await new Promise((r) => setTimeout(r, 30));
    expect(reads).toBe(1);
  });

  it.runIf(process.platform === 'linux')('sees a real loopback connection whose peer closed', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    const socket = await accepted;
    socket.pause(); // a paused server socket: node itself would not see the FIN
    const poller = new TcpStatePoller(undefined, 5);
    const seen = new Promise<void>((r) => poller.watch(socket, r));
    client.end('unread bytes before the FIN');
    await seen;
    socket.destroy();
    server.close();
  });
});
