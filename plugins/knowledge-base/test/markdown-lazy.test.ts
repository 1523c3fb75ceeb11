import t from 'tap';
import { createRequire } from 'node:module';
import plugin from '../src/server/index.js';
import { plainText, renderMarkdown } from '../src/server/markdown.js';

// Cold start (docs/performance.md): the plugin's server module does not load the
// Markdown renderer or the sanitizer; the first body rendered does, with the same result.

const loaded = (pkg: string) => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes(`/node_modules/${pkg}/`));

t.test('importing the plugin loads neither markdown-it nor sanitize-html', async (t) => {
  t.equal(plugin.name, 'knowledge-base', 'the plugin is imported');
  t.notOk(loaded('markdown-it'), 'markdown-it is not loaded');
  t.notOk(loaded('sanitize-html'), 'sanitize-html is not loaded');
});

t.test('plain text loads markdown-it only', async (t) => {
  t.equal(plainText('# Hola\n\n**mundo**'), 'Hola mundo');
  t.ok(loaded('markdown-it'), 'markdown-it is loaded');
  t.notOk(loaded('sanitize-html'), 'sanitize-html is not loaded yet');
});

t.test('the first render loads the sanitizer and sanitizes', async (t) => {
  t.equal(renderMarkdown('[x](javascript:alert(1)) <script>alert(1)</script> [y](https://example.com)'),
    '<p>[x](javascript:alert(1)) &lt;script&gt;alert(1)&lt;/script&gt; <a href="https://example.com" rel="noopener nofollow" target="_blank">y</a></p>\n');
  t.ok(loaded('sanitize-html'), 'sanitize-html is loaded');
});
