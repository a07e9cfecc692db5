/**
 * The baseline: a bare `ws` server doing the least a realtime gateway can do.
 * - /ws/widget: holds visitor sockets (memory baseline).
 * - POST /broadcast: body is one text frame; it is framed once and written
 *   to every visitor socket (fan-out baseline).
 * - /relay?pair=K&role=visitor|agent: a visitor's ChatMessage is parsed,
 *   re-encoded with an id and ts, acked, and sent to its paired agent
 *   (chat relay baseline).
 */
import http from 'node:http';
import v8 from 'node:v8';
import WebSocket, * as wsModule from 'ws';
import { WebSocketServer } from 'ws';

// ws exports Sender at run time; its types do not declare it.
const Sender = (wsModule as unknown as { Sender: { frame(data: Buffer, o: object): Buffer[] } }).Sender;
import { serveRpc, settledMem, settledRss } from '../lib/rpc.js';

const visitors = new Set<WebSocket>();
const pairs = new Map<string, { visitor?: WebSocket; agent?: WebSocket }>();
let msgId = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/broadcast') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const payload = Buffer.concat(chunks);
      // Frame once (header + payload, unmasked), then write the same buffers to every socket.
      const frame = Sender.frame(payload, { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: true });
      for (const ws of visitors) {
        const sock = (ws as any)._socket as import('node:net').Socket;
        sock.cork();
        for (const b of frame) sock.write(b);
        sock.uncork();
      }
      res.writeHead(204).end();
    });
    return;
  }
  res.writeHead(404).end();
});

const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 64 * 1024 });
wss.on('connection', (ws, req) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/ws/widget') {
    visitors.add(ws);
    ws.on('close', () => visitors.delete(ws));
    return;
  }
  if (url.pathname === '/relay') {
    const key = url.searchParams.get('pair') ?? '';
    const role = url.searchParams.get('role') === 'agent' ? 'agent' : 'visitor';
    const p = pairs.get(key) ?? {};
    p[role] = ws;
    pairs.set(key, p);
    ws.on('message', (data) => {
      let m: any;
      try {
        m = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (m?.mt !== 'ChatMessage' || typeof m.text !== 'string') return;
      const ts = Date.now();
      const id = `m${++msgId}`;
      const other = role === 'visitor' ? p.agent : p.visitor;
      ws.send(JSON.stringify({ mt: 'ChatAck', chat: m.chat, cid: m.cid, id, ts }));
      other?.send(JSON.stringify({ mt: 'ChatMessage', chat: m.chat, id, from: role, dn: role, text: m.text, ts }));
    });
    ws.on('close', () => pairs.delete(key));
    return;
  }
  ws.close(1008);
});

await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as { port: number }).port;

serveRpc({
  info: () => ({ url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}`, pid: process.pid }),
  rss: () => settledRss(),
  mem: () => settledMem(),
  heapSnapshot: (a: { path: string }) => v8.writeHeapSnapshot(a.path),
  count: () => visitors.size,
  close: async () => {
    for (const ws of wss.clients) ws.terminate();
    server.close();
    setImmediate(() => process.exit(0));
  },
});
