import t from 'tap';
import { flowProblem } from '../src/server/flow-validation.js';
import { flow, rule, startBotServer, world } from './helpers.js';

const node = (content: string, buttons: Array<{ id: string; label?: string; next?: string }> = []) => ({ content, buttons: buttons.map((b) => ({ label: b.id, ...b })) });

t.test('flow validation: dangling and unreachable nodes, duplicate buttons, loops without an exit', async (t) => {
  t.equal(flowProblem('a', { a: node('A', [{ id: 'x', next: 'b' }, { id: 'end' }]), b: node('B', [{ id: 'back', next: 'a' }]) }), null, 'a loop with an exit is fine');
  t.equal(flowProblem('a', { a: node('A', [{ id: 'x', next: 'b' }]), b: node('B') }), null, 'a node without buttons is an end');
  t.match(flowProblem('a', { a: node('A', [{ id: 'x', next: 'zzz' }]) }), /leads to node "zzz", which does not exist/);
  t.match(flowProblem('nope', { a: node('A') }), /startNodeId "nope"/);
  t.match(flowProblem('a', { a: node('A'), b: node('B') }), /"b" cannot be reached/);
  t.match(flowProblem('a', { a: node('A', [{ id: 'x' }, { id: 'x' }]) }), /two buttons with id "x"/);
  t.match(flowProblem('a', { a: node('A', [{ id: 'x', next: 'b' }]), b: node('B', [{ id: 'y', next: 'a' }]) }), /loop with no way out/);
  t.match(flowProblem('a', { a: node('A', [{ id: 'x', next: 'b' }, { id: 'end' }]), b: node('B', [{ id: 'y', next: 'c' }]), c: node('C', [{ id: 'z', next: 'b' }]) }), /"b" is in a loop/, 'a trap further down');
  t.match(flowProblem('a', {}), /at least one node/);
});

t.test('flows API: create, read, change, delete; invalid flows are a 400 problem; a flow in use cannot be deleted or lose a node a rule names', async (t) => {
  const s = await startBotServer();
  t.teardown(() => s.close());
  const w = await world(s);
  const other = await world(s, 'Other');
  const body = { name: 'Soporte', startNodeId: 'start', nodes: { start: node('¿Qué necesitas?', [{ id: 'pedido', label: 'Mi pedido', next: 'pedido' }, { id: 'fin', label: 'Nada' }]), pedido: node('Mira tu cuenta') } };
  const f = await flow(s, w.token, body);
  t.match(f, { name: 'Soporte', startNodeId: 'start', nodes: { start: { content: '¿Qué necesitas?', buttons: [{ id: 'pedido', label: 'Mi pedido', next: 'pedido' }, { id: 'fin', label: 'Nada' }] } } });
  t.same((await s.request('GET', '/api/v1/bot/flows', { token: w.token })).body.flows.map((x: { id: string }) => x.id), [f.id]);
  t.same((await s.request('GET', '/api/v1/bot/flows', { token: other.token })).body.flows, [], 'B sees none of A\'s flows');
  t.equal((await s.request('GET', `/api/v1/bot/flows/${f.id}`, { token: other.token })).status, 404);
  t.equal((await s.request('PATCH', `/api/v1/bot/flows/${f.id}`, { token: other.token, body: { name: 'x' } })).status, 404);
  t.equal((await s.request('DELETE', `/api/v1/bot/flows/${f.id}`, { token: other.token })).status, 404);

  const cases: Array<[string, unknown, RegExp]> = [
    ['a dangling next', { ...body, nodes: { start: node('x', [{ id: 'a', next: 'ghost' }]) } }, /ghost/],
    ['a trap', { ...body, nodes: { start: node('x', [{ id: 'a', next: 'loop' }]), loop: node('y', [{ id: 'b', next: 'start' }]) } }, /no way out/],
    ['an orphan', { ...body, nodes: { start: node('x'), lost: node('y') } }, /cannot be reached/],
  ];
  for (const [what, b, detail] of cases) {
    const r = await s.request('POST', '/api/v1/bot/flows', { token: w.token, body: b });
    t.equal(r.status, 400, `${what} → 400`);
    t.equal(r.body.code, 'CHARLA_BOT_INVALID_FLOW');
    t.match(r.body.detail, detail);
  }
  t.equal((await s.request('POST', '/api/v1/bot/flows', { token: w.token, body: { ...body, nodes: { 'bad id!': node('x') }, startNodeId: 'bad id!' } })).status, 400, 'a bad node id');
  t.equal((await s.request('POST', '/api/v1/bot/flows', { token: w.token, body: { ...body, nodes: { start: { content: 'x', buttons: [{ id: 'a', label: 'A', actions: [{ type: 'add_tag', tag: 'x' }] }] } } } })).body.code, 'CHARLA_BOT_TAGS_UNAVAILABLE');
  t.equal((await s.request('POST', '/api/v1/bot/flows', { token: w.token, body: { name: 'x' } })).status, 400, 'missing fields');
  t.equal((await s.request('PATCH', `/api/v1/bot/flows/${f.id}`, { token: w.token, body: { startNodeId: 'ghost' } })).status, 400, 'a PATCH is validated as a whole');

  const r = await rule(s, w.token, { name: 'Uses it', trigger: 'message', actions: [{ type: 'buttons', content: 'x', buttons: [{ label: 'Pedido', flowId: f.id, flowNodeId: 'pedido' }] }] });
  const drop = await s.request('PATCH', `/api/v1/bot/flows/${f.id}`, { token: w.token, body: { nodes: { start: node('Solo inicio') } } });
  t.equal(drop.status, 400, 'removing a node a rule\'s button names is refused');
  t.match(drop.body.detail, /Uses it/);
  const del = await s.request('DELETE', `/api/v1/bot/flows/${f.id}`, { token: w.token });
  t.equal(del.status, 400, 'a flow a rule uses cannot be deleted');
  t.match(del.body.detail, /Uses it/);
  await s.request('DELETE', `/api/v1/bot/rules/${r.id}`, { token: w.token });
  const renamed = await s.request('PATCH', `/api/v1/bot/flows/${f.id}`, { token: w.token, body: { name: 'Renamed', nodes: { start: node('Solo inicio') } } });
  t.equal(renamed.status, 200);
  t.same(Object.keys(renamed.body.nodes), ['start']);
  t.equal((await s.request('DELETE', `/api/v1/bot/flows/${f.id}`, { token: w.token })).status, 204);
  t.equal((await s.request('GET', `/api/v1/bot/flows/${f.id}`, { token: w.token })).status, 404);
});
