import t from 'tap';
import { ManualClock } from '@charla/core';
import { connectSocket, startSmtpServer } from '@charla/core/testing';
import { account, boot, initVisitor, reply, send, sleep } from './contract-helpers.js';

const DELAY_MS = 2 * 60 * 1000;

t.test('offline continuity: agent replies e-mailed to a visitor who is not connected', async (t) => {
  const smtp = await startSmtpServer();
  const clock = new ManualClock();
  const s = await boot({ config: { smtpUrl: smtp.url }, clock, listen: true });
  t.teardown(async () => {
    await s.close();
    await smtp.close();
  });
  const jobs = s.app.charla.container.cradle.jobs;
  const A = await account(s, { domain: 'shop.example.com' });
  /** Moves time past the batching delay and runs what is due. */
  const runLater = async () => {
    clock.advance(DELAY_MS + 1000);
    await jobs.runDue();
    await sleep(150); // the background worker may have taken a job first; let it finish
  };

  /** A visitor that left an e-mail through identify and confirmed it with the mailed link. */
  const withEmail = async (email: string) => {
    const v = await initVisitor(s, A.site.appId, { page: { url: 'https://shop.example.com/cart' } });
    const r = await s.request('POST', '/api/v1/widget/identify', { token: v.token, body: { email, name: 'Carla' } });
    t.equal(r.status, 200);
    const link = await smtp.waitFor((m) => m.to.includes(email) && /email-confirmation\?token=/.test(m.text));
    const url = new URL(/https?:\/\/\S+email-confirmation\?token=\S+/.exec(link.text)![0]);
    const confirmed = await s.app.inject({ method: 'POST', url: url.pathname + url.search, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    t.equal(confirmed.statusCode, 200, 'the address is confirmed');
    return { id: v.id, token: r.body.visitorToken as string };
  };
  const mailsTo = (addr: string) => smtp.messages.filter((m) => m.to.includes(addr) && /New reply/.test(m.subject));

  t.test('not connected: ONE e-mail with the replies, after the delay, without private notes', async (t) => {
    const email = 'offline-visitor@example.com';
    const v = await withEmail(email);
    const conv = (await send(s, v.token, 'Do you ship to Spain?')).conversation.id;
    await reply(s, A.owner.token, conv, 'Yes, we ship to Spain in 3 days.');
    await reply(s, A.owner.token, conv, 'Internal: check the courier', true);
    await reply(s, A.owner.token, conv, 'Anything else?');
    await jobs.runDue();
    await sleep(150);
    t.equal(mailsTo(email).length, 0, 'nothing before the delay');

    await runLater();
    const mail = await smtp.waitFor((m) => m.to.includes(email) && /New reply/.test(m.subject));
    t.match(mail.subject, /New reply from Shop/);
    t.match(mail.text, /Yes, we ship to Spain in 3 days\./, 'contains the reply');
    t.match(mail.text, /Anything else\?/, 'and the later one');
    t.notMatch(mail.text, /courier/, 'never a private note');
    t.match(mail.text, /https:\/\/shop\.example\.com\/cart/, 'links back to the page');
    t.match(mail.text, /Owner/, 'names the agent');
    await runLater();
    t.equal(mailsTo(email).length, 1, 'exactly one e-mail for both replies');

    // A later reply: one more e-mail, with only what is new.
    await reply(s, A.owner.token, conv, 'Your parcel left today.');
    await runLater();
    await smtp.waitFor((m) => m.to.includes(email) && /parcel/.test(m.text));
    t.equal(mailsTo(email).length, 2, 'a second e-mail for the new reply');
    t.notMatch(mailsTo(email)[1].text, /ship to Spain/, 'without the replies already sent');
  });

  t.test('replies the visitor has read meanwhile are not e-mailed', async (t) => {
    const email = 'came-back@example.com';
    const v = await withEmail(email);
    const conv = (await send(s, v.token, 'hello')).conversation.id;
    const r = await reply(s, A.owner.token, conv, 'Hi! How can I help?');
    const read = await s.request('POST', `/api/v1/widget/conversations/${conv}/read`, { token: v.token, body: { messageId: r.message.id } });
    t.equal(read.status, 200);
    await runLater();
    t.equal(mailsTo(email).length, 0, 'already read: no e-mail');
  });

  t.test('a connected visitor gets no e-mail', async (t) => {
    const email = 'online-visitor@example.com';
    const v = await withEmail(email);
    const conv = (await send(s, v.token, 'I am here')).conversation.id;
    const sock = await connectSocket(s.url, v.token);
    t.teardown(() => sock.close());
    sock.send({ op: 'subscribe', channel: `visitor:${v.id}` });
    await sock.waitFor((f) => f.op === 'subscribed' && f.channel === `visitor:${v.id}`);
    // Online as the inbox sees it.
    for (let i = 0; i < 100; i++) {
      const online = await s.request('GET', '/api/v1/inbox/visitors/online', { token: A.owner.token });
      if (online.body.visitors.some((x: { id: string }) => x.id === v.id)) break;
      await sleep(20);
    }
    await reply(s, A.owner.token, conv, 'Live answer for you');
    await sock.waitFor((f) => f.op === 'event' && f.event === 'message:new' && f.data.message.content === 'Live answer for you');
    await runLater();
    t.equal(mailsTo(email).length, 0, 'no e-mail while connected');
  });

  t.test('a visitor without an e-mail gets nothing and nothing fails', async (t) => {
    const v = await initVisitor(s, A.site.appId);
    const conv = (await send(s, v.token, 'anonymous question')).conversation.id;
    const before = smtp.messages.length;
    await reply(s, A.owner.token, conv, 'answer to nobody');
    await runLater();
    t.equal(smtp.messages.length, before);
    t.equal(jobs.stats.dead, 0, 'no job dead-lettered');
  });
});
