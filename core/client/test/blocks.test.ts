import t from 'tap';
import { blockViews } from '../src/blocks.js';

t.test('blockViews: the safe fallback keeps text fields and buttons, as strings, and drops the rest', async (t) => {
  t.same(blockViews({ blocks: [
    { type: 'article-card', title: '<img src=x onerror=alert(1)>', url: 'javascript:alert(1)', html: '<b>x</b>' },
    { type: 'buttons', text: 'Pick', buttons: [{ id: 'a', label: 'Yes' }, { id: 7, label: 'bad id' }, { id: 'b' }] },
    { type: 'empty', data: 1 }, null, { nope: true },
  ] }), [
    { type: 'article-card', text: ['<img src=x onerror=alert(1)>'], buttons: [] },
    { type: 'buttons', text: ['Pick'], buttons: [{ id: 'a', label: 'Yes' }] },
  ]);
  t.equal(blockViews({ blocks: 'x' }), undefined);
  t.equal(blockViews(null), undefined);
  t.equal(blockViews({ blocks: [{ type: 'empty' }] }), undefined, 'nothing to show: no blocks');
});
