import { spawnChild } from '/work/main/bench/lib/rpc.ts';
import { WsClient } from '../../packages/testkit/src/index.ts';
const s = await spawnChild('p', '/work/main/bench/servers/product.ts', { logDir: '/tmp/bl', env: { BENCH_SERVER_LOG: 'debug' } });
const f = await s.call('start', { widgets: [{ prefix: 'ag', agents: 10 }] });
const c = await WsClient.connect(`${f.wsUrl}/ws/widget`, { headers: { origin: 'http://localhost' } });
c.send({ mt: 'Start', uuid: f.widgets[0].uuid, lang: 'en' });
try { await c.next('IceConfig', 3000); } catch (e) { console.log(e.message); }
console.log(c.received.map(m => m.mt));
await s.stop();
