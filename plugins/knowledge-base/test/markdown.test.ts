import t, { type Test as Tap } from 'tap';
import { plainText, renderMarkdown } from '../src/server/markdown.js';
import { elementsOf } from './helpers.js';
const ALLOWED = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'strong', 'em', 's', 'del', 'blockquote', 'ul', 'ol', 'li', 'code', 'pre', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);

/** The sanitizer's cases: whatever an article body holds, no script can come out of it. */
t.test('Markdown renders to HTML without script, handlers, dangerous URLs or SVG', async (t) => {
  const safe = (t: Tap, html: string) => {
    for (const { name, attributes } of elementsOf(html)) {
      t.ok(ALLOWED.has(name), `<${name}> is an allowed element`);
      for (const [attr, value] of Object.entries(attributes)) {
        t.notOk(attr.startsWith('on'), `no event handler (${attr})`);
        if (attr === 'style') t.ok(['td', 'th'].includes(name) && /^text-align:(left|right|center);?$/.test(value), 'style only for table alignment');
        if (attr === 'href' || attr === 'src') {
          // What a browser would take as the scheme: control characters and spaces are ignored in it.
          const url = [...value].filter((ch) => ch.charCodeAt(0) > 0x20).join('');
          t.ok(/^(https?|mailto|tel):/i.test(url) || (!/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith('//')), `${attr}="${value}" is http(s), mailto, tel or relative`);
        }
      }
    }
    return html;
  };

  await t.test('ordinary Markdown keeps its structure', async (t) => {
    const html = renderMarkdown('# Título\n\nTexto con **negrita**, _cursiva_ y `código`.\n\n- uno\n- dos\n\n> cita\n\n```\nnpm start\n```\n\n| a | b |\n|:-|-:|\n| 1 | 2 |');
    for (const piece of ['<h1>Título</h1>', '<strong>negrita</strong>', '<em>cursiva</em>', '<code>código</code>', '<li>uno</li>', '<blockquote>', '<pre><code>npm start', '<table>', 'style="text-align:right"']) t.match(html, piece);
  });

  await t.test('links get rel="noopener nofollow" and a new tab; http(s), mailto and tel stay', async (t) => {
    const html = renderMarkdown('[docs](https://example.com/a?b=1) [mail](mailto:help@example.com) [call](tel:+34600000000) https://auto.example.com');
    t.match(html, '<a href="https://example.com/a?b=1" rel="noopener nofollow" target="_blank">docs</a>');
    t.match(html, 'href="mailto:help@example.com"');
    t.match(html, 'href="tel:+34600000000"');
    t.match(html, '<a href="https://auto.example.com" rel="noopener nofollow" target="_blank">', 'linkified URLs too');
  });

  await t.test('raw HTML script is shown as text, never run', async (t) => {
    const html = safe(t, renderMarkdown('Hola <script>alert(1)</script> y <SCRIPT SRC=//evil.example/x.js></SCRIPT>'));
    t.match(html, '&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  await t.test('event handlers in HTML and in images', async (t) => {
    safe(t, renderMarkdown('<img src=x onerror=alert(1)> <a href="#" onclick="alert(1)">x</a> <div onmouseover="alert(1)">y</div>'));
    const img = safe(t, renderMarkdown('![gato" onerror="alert(1)](https://example.com/cat.png)'));
    t.match(img, /<img src="https:\/\/example.com\/cat.png" alt="[^"]*"/);
  });

  await t.test('javascript:, data: and vbscript: URLs, in any spelling', async (t) => {
    for (const md of [
      '[x](javascript:alert(1))', '[x](JaVaScRiPt:alert(1))', '[x](  javascript:alert(1))', '[x](java\u0000script:alert(1))', '[x](&#106;avascript:alert(1))',
      '[x](javascript&colon;alert(1))', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)', '![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)',
      '[x](vbscript:msgbox(1))', '<a href="javascript:alert(1)">x</a>', '[x]: javascript:alert(1)\n\n[y][x]', '<javascript:alert(1)>',
    ]) safe(t, renderMarkdown(md));
    t.notMatch(renderMarkdown('![x](//evil.example/a.png)'), /src="\/\/evil/, 'protocol-relative image URLs are dropped');
  });

  await t.test('SVG, MathML, iframes, styles and forms', async (t) => {
    safe(t, renderMarkdown('<svg onload=alert(1)><script>alert(1)</script></svg>'));
    safe(t, renderMarkdown('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'));
    safe(t, renderMarkdown('<math><mtext><img src=x onerror=alert(1)></mtext></math>'));
    safe(t, renderMarkdown('<iframe src="https://evil.example"></iframe><style>body{display:none}</style><form action=https://evil.example><input name=p></form>'));
    safe(t, renderMarkdown('<p style="background:url(javascript:alert(1))">x</p>'));
  });

  t.test('plain text drops markup but keeps the words', async (t) => {
    t.equal(plainText('# Devolución\n\nPide la **devolución** en [tu cuenta](https://x.example).\n\n```\ncódigo\n```'), 'Devolución Pide la devolución en tu cuenta. código');
    t.equal(plainText('una línea\ny otra  \ny la última'), 'una línea y otra y la última', 'line breaks separate words');
  });
});
