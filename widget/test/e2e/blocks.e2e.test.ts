/**
 * Message blocks in the widget end to end: the auto-reply example answers as a bot with
 * a quick-replies block; headless Chromium on a host page of another origin shows its
 * button as text, and pressing it sends the label (postback) and gets the hand-off.
 */
import t from 'tap';
import { withBrowser, hostPage, newPage, startWidgetWorld } from './harness.js';

await withBrowser(t, run);

async function run(): Promise<void> {
  const { signup } = await import('@charla/core/testing');
  const { server, host, browser } = await startWidgetWorld(t, { plugins: ['conversations', '@charla/plugin-auto-reply'] });
  const owner = await signup(server, 'Blocks');
  const site = (await server.request('POST', '/api/v1/sites', { token: owner.token, body: { name: 'Blocks', domain: 'localhost' } })).body;
  host.pages.set('/blocks', hostPage({ snippet: site.snippet.replace(/src="[^"]*\/widget\/loader\.js"/, `src="${server.url}/widget/loader.js"`) }));

  await t.test('a bot message\'s button is shown as text and pressing it posts back', async (t) => {
    const { page, errors } = await newPage(browser);
    await page.goto(`${host.origin}/blocks`);
    await page.getByRole('button', { name: 'Open chat', exact: true }).click();
    const textbox = page.getByRole('textbox', { name: 'Message', exact: true });
    await textbox.fill('Where is my parcel?');
    await textbox.press('Enter');
    await page.getByText('Echo: Where is my parcel?').waitFor({ timeout: 15_000 });
    const button = page.getByRole('button', { name: 'Talk to a human', exact: true });
    await button.waitFor({ timeout: 10_000 });
    t.pass('the quick-replies block shows its button');
    await button.click();
    await page.getByText('Connecting you with the team.').waitFor({ timeout: 15_000 });
    const bubbles = await page.evaluate(() => [...(document.querySelector('charla-widget')?.shadowRoot?.querySelector('charla-messenger')?.shadowRoot?.querySelectorAll('.msg.mine .bubble') ?? [])].map((b) => b.textContent));
    t.same(bubbles, ['Where is my parcel?', 'Talk to a human'], 'the press became the visitor\'s message');
    t.same(errors, [], 'no page errors');
  });
}
