import { spawnChild } from '../lib/rpc.ts';
for (const kind of ['product', 'bare']) {
  const s = await spawnChild(kind, `/work/main/bench/servers/${kind}.ts`, { logDir: '/tmp/bl', gc: true });
  const f = kind === 'product' ? await s.call('start', { widgets: [{ prefix: 'ag', agents: 10 }] }) : await s.call('info');
  const mem = () => s.call('mem');
  console.log(kind, 'start', await mem());
  const v = await spawnChild('v', '/work/main/bench/clients/visitors.ts', { logDir: '/tmp/bl' });
  for (const n of [20, 1000, 1000, 2000]) {
    await v.call('connect', { url: `${f.wsUrl}/ws/widget`, n, mode: kind, uuid: f.widgets?.[0].uuid, infos: 10 });
    console.log(kind, n, await mem());
  }
  await v.stop(); await s.stop();
}
