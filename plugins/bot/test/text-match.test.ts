import t from 'tap';
import { PatternRunner, fold, keywordsMatch, unsafePattern, words } from '../src/server/text-match.js';

t.test('keywords: case- and accent-insensitive whole words and phrases', async (t) => {
  t.equal(fold('DEVOLUCIÓN Ñandú'), 'devolucion nandu');
  t.same(words('¿Quiero hacer una devolución, ya!'), ['quiero', 'hacer', 'una', 'devolucion', 'ya']);
  t.ok(keywordsMatch('Quiero hacer una DEVOLUCION', ['devolución'], 'any'), 'case and accents do not matter');
  t.ok(keywordsMatch('quiero una devolución', ['Devolucion'], 'any'), 'either side may carry the accent');
  t.notOk(keywordsMatch('devoluciones rápidas', ['devolución'], 'any'), 'whole words: "devoluciones" is not "devolución"');
  t.notOk(keywordsMatch('the price is right', ['rice'], 'any'), 'no match inside a word');
  t.ok(keywordsMatch('¿Cuál es el precio?', ['precio'], 'any'), 'punctuation separates words');
  t.ok(keywordsMatch('hablar con una persona por favor', ['una persona'], 'any'), 'a phrase matches as consecutive words');
  t.notOk(keywordsMatch('persona una', ['una persona'], 'any'), 'a phrase keeps its order');
  t.ok(keywordsMatch('precio y envío', ['precio', 'envio'], 'all'), 'all: every keyword');
  t.notOk(keywordsMatch('solo el precio', ['precio', 'envio'], 'all'));
  t.ok(keywordsMatch('solo el precio', ['precio', 'envio'], 'any'));
});

t.test('patterns: catastrophic ones are refused at save, accepted ones run with a time limit', async (t) => {
  for (const bad of ['(a+)+$', '(a*)*b', '(a|aa)+', '(.*a){2,}', '((ab)*)+', '(\\w+\\s?)*$', '(x+x+)+y', '([a-z]+)*@']) {
    t.ok(unsafePattern(bad), `refused: ${bad}`);
  }
  t.match(unsafePattern('(a)\\1'), /backreferences/);
  t.match(unsafePattern('(?<=a)b'), /lookbehind/);
  t.match(unsafePattern('x'.repeat(201)), /longer than 200/);
  t.match(unsafePattern('(unclosed'), /not a valid regular expression/);
  for (const ok of ['pedido\\s*#?\\d{4,8}', '^hola', 'precio|tarifa', '(factura|recibo) de \\w+', '\\b(ayuda|help)\\b', 'colou?r', '(ab)?c']) {
    t.equal(unsafePattern(ok), null, `accepted: ${ok}`);
  }
  const runner = new PatternRunner();
  t.ok(runner.test('pedido\\s*#?\\d{4,8}', 'Mi PEDIDO #12345 no llega'), 'case-insensitive');
  t.notOk(runner.test('pedido\\s*#?\\d{4,8}', 'mi pedido no llega'));
  t.notOk(runner.test('(a+)+$', `${'a'.repeat(40)}!`), 'a refused pattern never runs');
  // Should a slow pattern pass the static check, the time limit still stops it.
  const started = Date.now();
  t.notOk(runner.timed('(a+)+$', `${'a'.repeat(40)}!`), 'a catastrophic run is stopped: no match');
  t.ok(Date.now() - started < 1000, `and returns at once (${Date.now() - started} ms)`);
  t.ok(runner.timed('(a+)+$', 'aaa'), 'the same pattern on a short input still answers');
});
