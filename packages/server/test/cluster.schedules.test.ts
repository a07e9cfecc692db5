// Spec 11 in cluster mode on real Redis and PostgreSQL: one process at a time keeps the schedules and sends mail
// (leases); an offline message taken by any process is mailed once; when the sending process goes, another
// takes over and sends what is queued.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { need, startSmtp, type TestSmtp } from '@cw/testkit';
import { startInProcessCluster, type InProcessCluster } from './cluster-fixtures.js';
import { entry, makeUser, makeWidget, visitor } from './protocol-fixtures.js';

const ok = (await need('redis', 'cluster schedules')) && (await need('postgres', 'cluster schedules'));

describe.skipIf(!ok)('spec 11 in cluster mode', () => {
  let cluster: InProcessCluster;
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
    cluster = await startInProcessCluster(3, { SMTP_URL: smtp.url, OFFLINE_MIN_FILL_S: '0', MAIL_RETRY_BASE_S: '0.2' });
  });
  afterAll(async () => {
    await cluster?.close();
    await smtp?.stop();
  });

  const leaders = () => ({
    keepers: cluster.nodes.filter((n) => n.app.schedules.active).length,
    senders: cluster.nodes.filter((n) => n.app.mail.active).length,
  });

  it('one keeper and one sender; a message is mailed once; another process takes over when the sender goes', async () => {
    await expect.poll(leaders, { timeout: 10_000 }).toEqual({ keepers: 1, senders: 1 });
    const a = cluster.nodes[0]!;
    await makeUser(a, { sipId: 'nobody' });
    const w = await makeWidget(a, [entry('nobody')], { name: 'Cluster shop', offline: { enabled: true, consentText: '', notify: ['team@example.com'] } });
    // Sent through a process that may or may not be the sender.
    const sender = cluster.nodes.find((n) => n.app.mail.active)!;
    const other = cluster.nodes.find((n) => !n.app.mail.active)!;
    const v = await visitor(other, w.uuid);
    v.c.send({ mt: 'OfflineMessage', cid: 'c1', email: 'one@example.com', text: 'first' });
    await v.c.next('OfflineAck');
    const first = await smtp.next((m) => m.parsed.replyTo?.value[0]?.address === 'one@example.com');
    expect(first.parsed.text).toContain('first');
    await v.c.close();

    // The sending process goes: another one takes the lease and sends what is queued after.
    await sender.close();
    const rest = cluster.nodes.filter((n) => n !== sender);
    await expect.poll(() => rest.filter((n) => n.app.mail.active).length, { timeout: 15_000 }).toBe(1);
    const v2 = await visitor(rest[0]!, w.uuid);
    v2.c.send({ mt: 'OfflineMessage', cid: 'c2', email: 'two@example.com', text: 'second' });
    await v2.c.next('OfflineAck');
    await smtp.next((m) => m.parsed.replyTo?.value[0]?.address === 'two@example.com');
    await v2.c.close();
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.mails.filter((m) => m.parsed.replyTo?.value[0]?.address === 'one@example.com').length).toBe(1);
    expect(rest.filter((n) => n.app.schedules.active).length).toBe(1);
  });
});
