/**
 * The offline-reply e-mail is not a phishing relay: an anonymous visitor who types
 * someone's address, a name like "Your account is locked" and a page URL of its own
 * gets nothing sent there but a fixed confirmation mail (a few per address and hour);
 * replies go only to a proved address (confirmed link, or hashed by the site), greet
 * nobody by a visitor-chosen name, and link only to pages on the site's domain.
 */
import { createHmac } from 'node:crypto';
import t from 'tap';
import { ManualClock } from '../../../core/src/clock.js';
import { account, bootWithSmtp, initVisitor, isProblem, reply, send, sleep, type Smtp } from './helpers.js';

const PATH = '/api/v1/widget/email-confirmation';
const confirmLink = (smtp: Smtp, to: string) => smtp.waitFor((m) => m.to.includes(to) && m.text.includes(PATH)).then((m) => {
  const found = new RegExp(`https?://\\S+?${PATH}\\?token=([A-Za-z0-9_.%-]+)`).exec(m.text);
  if (!found) throw new Error('no confirmation link');
  return { mail: m, token: decodeURIComponent(found[1]) };
});

t.test('offline replies reach only proved addresses, with nothing of the visitor in them', async (t) => {
  const clock = new ManualClock();
  const { s, smtp } = await bootWithSmtp(t, { clock });
  const jobs = s.app.charla.container.cradle.jobs;
  const a = await account(s, 'Relay', { domain: 'shop.example.com' });
  const runLater = async () => {
    clock.advance(3 * 60 * 1000);
    await jobs.runDue();
    await sleep(200);
  };
  const repliesTo = (addr: string) => smtp.messages.filter((m) => m.to.includes(addr) && /New reply/.test(m.subject));

  const victim = 'victim@example.org';
  const lure = 'URGENT your account is locked call +1-555-0100';
  const v = await initVisitor(s, a.site.appId, { page: { url: 'https://evil.example/login' } });
  const ident = await s.request('POST', '/api/v1/widget/identify', { token: v.token, body: { email: victim, name: lure } });
  t.equal(ident.status, 200);
  const conv = (await send(s, ident.body.visitorToken, 'hello')).conversation.id;
  await reply(s, a.owner.token, conv, 'Thanks for reaching out!');
  await runLater();
  t.equal(repliesTo(victim).length, 0, 'no reply goes to a typed, unproved address');
  const { mail: confirmation, token } = await confirmLink(smtp, victim);
  t.notMatch(confirmation.text, /URGENT|locked|555|evil\.example/, 'the confirmation mail carries nothing the visitor typed');
  t.notMatch(confirmation.subject, /URGENT|locked/);

  // A mail scanner fetching the link confirms nothing; the button (POST) does.
  const shown = await s.app.inject({ method: 'GET', url: `${PATH}?token=${encodeURIComponent(token)}` });
  t.equal(shown.statusCode, 200);
  t.match(shown.body, /<form method="post"/, 'GET shows a confirm button');
  await reply(s, a.owner.token, conv, 'Still there?');
  await runLater();
  t.equal(repliesTo(victim).length, 0, 'fetching the link did not confirm');
  const forged = await s.app.inject({ method: 'POST', url: `${PATH}?token=${encodeURIComponent(`${token.split('.')[0]}.${'A'.repeat(43)}`)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
  t.equal(forged.statusCode, 400, 'a forged signature: 400');
  const ok = await s.app.inject({ method: 'POST', url: `${PATH}?token=${encodeURIComponent(token)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
  t.equal(ok.statusCode, 200, 'the button confirms');
  t.match(ok.body, /E-mail confirmed/);

  await reply(s, a.owner.token, conv, 'Here is your answer.');
  await runLater();
  const mail = await smtp.waitFor((m) => m.to.includes(victim) && /Here is your answer/.test(m.text));
  t.notMatch(mail.text, /URGENT|locked|555/, 'the reply mail never shows the visitor-chosen name');
  t.notMatch(mail.text, /evil\.example/, 'nor a page off the site\'s domain');
  t.match(mail.text, /https:\/\/shop\.example\.com\//, 'it links to the site instead');

  // A page on the site's domain is linked; an address proved by the site's hash needs no link.
  const secret = a.site.identityVerification.secret!;
  const proved = 'proved@example.org';
  const pv = await initVisitor(s, a.site.appId, { page: { url: 'https://www.shop.example.com/cart' }, user: { email: proved, userHash: createHmac('sha256', secret).update(proved).digest('hex') } });
  const conv2 = (await send(s, pv.token, 'hi')).conversation.id;
  await reply(s, a.owner.token, conv2, 'Your cart is saved.');
  await runLater();
  const mail2 = await smtp.waitFor((m) => m.to.includes(proved) && /cart is saved/.test(m.text));
  t.match(mail2.text, /https:\/\/www\.shop\.example\.com\/cart/, 'a page on the site\'s domain is linked');
  t.equal(smtp.messages.filter((m) => m.to.includes(proved) && m.text.includes(PATH)).length, 0, 'a hashed address gets no confirmation mail');

  // The confirmation link is bound to the address: changed since, it proves nothing.
  const w = await initVisitor(s, a.site.appId);
  const first = await s.request('POST', '/api/v1/widget/identify', { token: w.token, body: { email: 'first@example.org' } });
  const { token: stale } = await confirmLink(smtp, 'first@example.org');
  await s.request('POST', '/api/v1/widget/identify', { token: first.body.visitorToken, body: { email: 'second@example.org' } });
  const late = await s.app.inject({ method: 'POST', url: `${PATH}?token=${encodeURIComponent(stale)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
  t.equal(late.statusCode, 400, 'a link for an address the visitor has since changed: 400');
});

t.test('confirmation mails to one address are limited', async (t) => {
  const { s, smtp } = await bootWithSmtp(t);
  const a = await account(s, 'Flood', { domain: 'shop.example.com' });
  const target = 'flooded@example.org';
  for (let i = 0; i < 6; i++) {
    const v = await initVisitor(s, a.site.appId);
    const r = await s.request('POST', '/api/v1/widget/identify', { token: v.token, body: { email: target } });
    t.equal(r.status, 200, `identify ${i + 1}: 200 (the visitor is not told)`);
  }
  await sleep(1500);
  const sent = smtp.messages.filter((m) => m.to.includes(target)).length;
  t.ok(sent >= 1 && sent <= 3, `six visitors typing one address: ${sent} mails (at most 3 an hour)`);
  const bad = await s.app.inject({ method: 'POST', url: `${PATH}?token=x.y`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
  t.equal(bad.statusCode, 400, 'a garbage token: 400');
  t.ok(isProblem(await s.request('GET', PATH), [400]), 'no token at all: a 400 problem');
});
