import t from 'tap';
import { article, history, lines, rule, say, settle, startBotServer, visitor, world } from './helpers.js';

t.test('"Quiero hacer una devolución" gets the configured reply and the returns article, as bot messages after the visitor\'s', async (t) => {
  const s = await startBotServer();
  t.teardown(() => s.close());
  const w = await world(s);
  const returns = await article(s, w.token, { title: 'Devoluciones', body: 'Cómo hacer una devolución: entra en tu cuenta.', status: 'published' });
  await article(s, w.token, { title: 'Envíos', body: 'Enviamos a toda España.', status: 'published' });
  await rule(s, w.token, { name: 'Devoluciones', trigger: 'message', conditions: { keywords: ['devolución'] }, actions: [{ type: 'reply', content: 'Te ayudo con la devolución.' }, { type: 'suggest_articles' }] });
  const v = await visitor(s, w.site.appId);
  const sent = await say(s, v.token, 'Quiero hacer una DEVOLUCION');
  await settle(s);
  const msgs = await history(s, w.token, sent.conversation.id);
  t.same(lines(msgs), ['visitor: Quiero hacer una DEVOLUCION', 'bot: Te ayudo con la devolución.', 'bot: Estos artículos pueden ayudarte:']);
  t.same(msgs[2].metadata?.articles, [{ id: returns.id, title: 'Devoluciones', slug: returns.slug }], 'the best match only: the returns article');
  t.equal(msgs[1].metadata?.responder, 'bot');
});
