// The demo page, end to end in headless Chromium: once against the mock providers directly, once through the
// Worker proxy. Screenshots of the main states go to tests/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../chromium.mjs';
import { startDemo } from '../../scripts/demo.mjs';

const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));
mkdirSync(artifacts, { recursive: true });
let demo, browser;

before(async () => {
  demo = await startDemo({ port: 0, proxy: true });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await demo?.close();
});

for (const mode of ['mock', 'proxy']) {
  test(`the file manager works ${mode === 'mock' ? 'against the local mock' : 'through the Worker proxy'}`, async () => {
    const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1100, height: 900 }, locale: 'en-US' });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // Answers already received are drawn within a few tasks.
    const settle = () => page.evaluate(() => new Promise((r) => setTimeout(r, 200)));
    /** The download started by the Download button of the row named `name`. */
    const downloadOf = async (name) => (await Promise.all([page.waitForEvent('download'), page.click(`button[aria-label="Download ${name}"]`)]))[0];
    const hostsOffered = () => page.$$eval('#direct-bases option', (os) => os.map((o) => o.value));
    // Until the key is made wrong on purpose, the console stays clean: no failed load (a favicon 404 among them)
    // and no warning from Chromium (a key field outside a form).
    const noise = [];
    page.on('console', (m) => noise.push(`${m.type()}: ${m.text()}`));
    await page.goto(demo.url);
    await page.waitForSelector('body[data-ready=true]');
    // Moonshot, shown first: its account-wide caps beside its per-file limit (a full account refuses uploads).
    assert.match(await page.textContent('#caps'), /Per-file limits — any purpose 100 MB\s*Storage — at most 1,000 files, 10 GB in all/);
    if (mode === 'proxy') {
      await page.check('input[name=mode][value=proxy]');
      assert.equal(await page.inputValue('#proxy-url'), demo.proxy);
      // A URL pasted with a trailing slash works as well: the rest of this test runs through it.
      await page.fill('#proxy-url', `${demo.proxy}/`);
      await page.dispatchEvent('#proxy-url', 'change');
    }
    // Keyboard: the drop zone is reachable and Enter or Space opens the (multiple) file picker, as on any button. The
    // picker's click is observed rather than the native dialog, whose interception races the key press.
    await page.focus('#drop');
    for (const key of ['Enter', ' ']) {
      await page.evaluate(() => document.getElementById('picker').addEventListener('click', (e) => { e.preventDefault(); window.__pickerOpened = true; }, { once: true }));
      await page.keyboard.press(key);
      assert.equal(await page.evaluate(() => window.__pickerOpened), true, JSON.stringify(key));
      await page.evaluate(() => { window.__pickerOpened = false; });
    }
    assert.equal(await page.getAttribute('#picker', 'multiple'), '');
    await page.setInputFiles('#picker', [
      { name: `alpha-${mode}.txt`, mimeType: 'text/plain', buffer: Buffer.from(`alpha bytes via ${mode} é`) },
      { name: `beta-${mode}.txt`, mimeType: 'text/plain', buffer: Buffer.from(`beta bytes via ${mode}`) },
    ]);
    await page.waitForFunction(() => document.querySelectorAll('#uploads li[data-done]').length === 2, null, { timeout: 30_000 });
    const bars = await page.$$eval('#uploads progress', (ps) => ps.map((p) => p.value));
    assert.deepEqual(bars, [1, 1], 'both progress bars are full');
    await page.waitForSelector(`tr[data-id]:has-text("alpha-${mode}.txt")`);
    await page.waitForSelector(`tr[data-id]:has-text("beta-${mode}.txt")`);
    // The row reads as a person would: the size in bytes, a creation time of today, the full id on hover.
    const row = await page.$eval(`tr[data-id]:has-text("beta-${mode}.txt")`, (tr) => ({ id: tr.dataset.id, cells: [...tr.cells].map((td) => td.textContent), title: tr.cells[4].title }));
    assert.equal(row.cells[1], `${Buffer.byteLength(`beta bytes via ${mode}`)} B`);
    const created = await page.evaluate((t) => new Date(t).getTime(), row.cells[3]);
    assert.ok(Math.abs(created - Date.now()) < 86_400_000, `created ${row.cells[3]}`);
    assert.deepEqual([row.cells[4], row.title], [row.id, row.id]);
    await page.screenshot({ path: `${artifacts}${mode}-1-uploaded.png`, fullPage: true });

    // Drag and drop: the zone lights up while a file is over it, and a dropped file is uploaded as a picked one is.
    const dropped = await page.evaluateHandle((name) => {
      const dt = new DataTransfer();
      dt.items.add(new File(['dropped bytes'], name, { type: 'text/plain' }));
      return dt;
    }, `dropped-${mode}.txt`);
    const lit = () => page.evaluate(() => document.getElementById('drop').classList.contains('over'));
    await page.dispatchEvent('#drop', 'dragover', { dataTransfer: dropped });
    assert.equal(await lit(), true);
    // A browser drops a file on the zone only when dragover is cancelled; otherwise it opens the file instead.
    assert.equal(await page.evaluate(() => {
      const e = new DragEvent('dragover', { cancelable: true, dataTransfer: new DataTransfer() });
      document.getElementById('drop').dispatchEvent(e);
      return e.defaultPrevented;
    }), true);
    await page.dispatchEvent('#drop', 'dragleave');
    assert.equal(await lit(), false);
    await page.dispatchEvent('#drop', 'dragover', { dataTransfer: dropped });
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: dropped });
    assert.equal(await lit(), false);
    await page.waitForSelector(`#uploads li[data-done]:has-text("dropped-${mode}.txt")`);
    await page.waitForSelector(`tr[data-id]:has-text("dropped-${mode}.txt")`);

    // An upload refused before sending (Moonshot takes no empty file) stays explained after the listing that follows it.
    const moonshotList = (u) => /\/moonshot(\/v1)?\/files$/.test(new URL(u).pathname);
    const relisted = page.waitForResponse((r) => moonshotList(r.url()) && r.request().method() === 'GET');
    await page.setInputFiles('#picker', [{ name: `empty-${mode}.txt`, mimeType: 'text/plain', buffer: Buffer.alloc(0) }]);
    await page.waitForSelector(`#uploads li:has-text("empty-${mode}.txt") >> text=failed: invalid_argument`);
    await relisted;
    await settle();
    assert.match(await page.textContent('#status'), /file\(s\)/);
    assert.equal(await page.isVisible('#error'), true, 'the upload error was hidden by the listing after it');
    assert.match(await page.textContent('#error'), /kind\s*invalid_argument[\s\S]*file is 0 bytes; moonshot accepts 1 to/);
    // Refused before sending, it has no status, provider code or request id: those rows are left out, not shown as null.
    assert.deepEqual(await page.$$eval('#error dt', (ds) => ds.map((d) => d.textContent)), ['kind', 'details']);

    const download = await downloadOf(`alpha-${mode}.txt`);
    assert.equal(download.suggestedFilename(), `alpha-${mode}.txt`);
    assert.equal(readFileSync(await download.path(), 'utf8'), `alpha bytes via ${mode} é`);
    // The upload's error shown above is gone once another action starts.
    assert.equal(await page.isVisible('#error'), false);
    // Every finished upload's bar is full.
    assert.deepEqual(await page.$$eval('#uploads li[data-done] progress', (ps) => [...new Set(ps.map((p) => p.value))]), [1]);

    // Moonshot serves the content of file-extract files only, and as their text: an image's Download is off, saying
    // why, and a PDF's text is saved under a name ending in .txt.
    await page.selectOption('#purpose', 'image');
    await page.setInputFiles('#picker', [{ name: `pic-${mode}.png`, mimeType: 'image/png', buffer: Buffer.alloc(3072, 1) }]);
    const pic = page.locator(`button[aria-label="Download pic-${mode}.png"]`);
    await pic.waitFor();
    assert.equal(await pic.isDisabled(), true);
    assert.equal(await pic.getAttribute('title'), 'moonshot serves the content of file-extract files only');
    assert.equal(await page.textContent(`tr[data-id]:has-text("pic-${mode}.png") td:nth-child(2)`), '3.0 KB');
    assert.equal(await page.locator(`button[aria-label="Download alpha-${mode}.txt"]`).isDisabled(), false);
    await page.selectOption('#purpose', 'file-extract');
    await page.setInputFiles('#picker', [{ name: `doc-${mode}.pdf`, mimeType: 'application/pdf', buffer: Buffer.from(`doc text via ${mode}`) }]);
    const extracted = await downloadOf(`doc-${mode}.pdf`);
    assert.equal(extracted.suggestedFilename(), `doc-${mode}.pdf.txt`);
    assert.equal(readFileSync(await extracted.path(), 'utf8'), `doc text via ${mode}`);

    // An upload can be cancelled: held on its way, its Cancel button ends it; the row says so, no error is shown and
    // no file appears. A finished upload's row has no Cancel button.
    let sending, letGo;
    const posted = new Promise((r) => (sending = r));
    const holding = new Promise((r) => (letGo = r));
    await page.route(moonshotList, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      sending();
      await holding;
      await route.abort().catch(() => {});
    });
    await page.setInputFiles('#picker', [{ name: `held-${mode}.txt`, mimeType: 'text/plain', buffer: Buffer.from('held') }]);
    await posted;
    await page.click(`button[aria-label="Cancel upload of held-${mode}.txt"]`);
    await page.waitForSelector(`#uploads li:has-text("held-${mode}.txt") >> text=cancelled`);
    letGo();
    await page.unroute(moonshotList);
    assert.equal(await page.isVisible('#error'), false);
    assert.equal(await page.locator(`tr[data-id]:has-text("held-${mode}.txt")`).count(), 0);
    assert.equal(await page.locator(`#uploads li:has-text("held-${mode}.txt") button`).count(), 0);
    assert.equal(await page.locator(`#uploads li:has-text("doc-${mode}.pdf") button`).count(), 0);

    // A delete asks first, naming the file; dismissed, nothing is sent.
    let asked;
    page.once('dialog', (d) => ((asked = d.message()), d.dismiss()));
    let sent = 0;
    const count = (r) => (sent += r.method() === 'DELETE');
    page.on('request', count);
    await page.click(`button[aria-label="Delete beta-${mode}.txt"]`);
    await settle();
    assert.equal(asked, `Delete beta-${mode}.txt? This cannot be undone.`);
    page.off('request', count);
    assert.equal(sent, 0);
    assert.equal(await page.locator(`tr[data-id]:has-text("beta-${mode}.txt")`).count(), 1);
    page.once('dialog', (d) => d.accept());
    await page.click(`button[aria-label="Delete beta-${mode}.txt"]`);
    await page.waitForSelector(`tr[data-id]:has-text("beta-${mode}.txt")`, { state: 'detached' });
    assert.equal(await page.locator(`tr[data-id]:has-text("alpha-${mode}.txt")`).count(), 1);
    await page.screenshot({ path: `${artifacts}${mode}-2-deleted.png`, fullPage: true });

    // Load all starts afresh: an error shown before it goes.
    await page.evaluate(() => { document.getElementById('error').hidden = false; });
    await page.click('#load-all');
    await page.waitForFunction(() => document.getElementById('status').textContent.includes('every page'));
    assert.equal(await page.isVisible('#error'), false);
    // Every file walked is shown.
    const walked = Number((await page.textContent('#status')).match(/^(\d+) file/)?.[1]);
    assert.ok(walked >= 4, `${walked} files`);
    assert.equal(await page.locator('#files tr[data-id]').count(), walked);

    // A listing answered after a switch of provider is dropped: Moonshot's answer is held until Zhipu's is shown.
    let reached, release;
    const held = new Promise((r) => (reached = r));
    const go = new Promise((r) => (release = r));
    await page.route(moonshotList, async (route) => {
      if (route.request().method() === 'GET') {
        reached();
        await go;
      }
      await route.continue();
    });
    await page.click('#refresh');
    await held;
    await page.selectOption('#provider', 'zhipu');
    await page.waitForFunction(() => /file\(s\)/.test(document.getElementById('status').textContent));
    const late = page.waitForResponse((r) => moonshotList(r.url()));
    release();
    await late;
    await page.unroute(moonshotList);
    await settle();
    assert.equal(await page.locator(`tr[data-id]:has-text("alpha-${mode}.txt")`).count(), 0, 'Moonshot files shown under Zhipu');
    assert.match(await page.textContent('#uploads'), new RegExp(`alpha-${mode}\\.txt · moonshot`));

    await page.selectOption('#provider', 'zhipu');
    await page.waitForFunction(() => document.getElementById('caps').textContent.includes('retrieve: emulated'));
    assert.doesNotMatch(await page.textContent('#caps'), /Storage/);
    assert.match(await page.textContent('#caps'), /Notes — .*on api\.z\.ai agent files 100 MB/);
    assert.deepEqual(await page.$$eval('#purpose option', (os) => os.map((o) => o.value).slice(0, 3)), ['batch', 'code-interpreter', 'agent']);
    await page.screenshot({ path: `${artifacts}${mode}-3-zhipu.png`, fullPage: true });
    assert.deepEqual(noise, []);

    if (mode === 'mock') {
      // MiniMax through the page: an int64 id above 2^53 kept exact from upload to row to download to delete (whose
      // purpose the row supplies), and a listing merged from every listable purpose.
      await page.selectOption('#provider', 'minimax');
      await page.waitForFunction(() => document.getElementById('caps').textContent.includes('voice_clone 20 MB'));
      assert.match(await page.textContent('#caps'), /video_generation_input 50 MB, other purposes none documented/);
      await page.selectOption('#purpose', 'voice_clone');
      await page.setInputFiles('#picker', [{ name: 'voice.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from('mp3 bytes') }]);
      const done = '#uploads li[data-done]:has-text("voice.mp3 · minimax")';
      await page.waitForSelector(done);
      const id = await page.getAttribute(done, 'data-done');
      assert.ok(/^\d+$/.test(id) && BigInt(id) > 2n ** 53n, id);
      await page.waitForSelector(`tr[data-id="${id}"]`);
      assert.equal(await page.textContent(`tr[data-id="${id}"] td.id`), id);
      const mp3 = await downloadOf('voice.mp3');
      assert.equal(readFileSync(await mp3.path(), 'utf8'), 'mp3 bytes');
      page.once('dialog', (d) => d.accept());
      await page.click('button[aria-label="Delete voice.mp3"]');
      await page.waitForSelector(`tr[data-id="${id}"]`, { state: 'detached' });
      assert.equal(await page.isVisible('#error'), false);
      // A purpose MiniMax lists but documents no delete for: its Delete is off, saying why.
      await page.selectOption('#purpose', 'video_generation_input');
      await page.setInputFiles('#picker', [{ name: 'frame.png', mimeType: 'image/png', buffer: Buffer.from('png bytes') }]);
      const frame = 'button[aria-label="Delete frame.png"]';
      await page.waitForSelector(frame);
      assert.equal(await page.isDisabled(frame), true);
      assert.equal(await page.getAttribute(frame, 'title'), 'minimax documents no delete for video_generation_input files');
      assert.equal(await page.isDisabled('button[aria-label="Download frame.png"]'), false);
      assert.deepEqual(noise, []);
      await page.selectOption('#provider', 'zhipu');
      await page.waitForFunction(() => document.getElementById('caps').textContent.includes('retrieve: emulated'));
    }

    // A Zhipu file listed, for the failed listing below to clear.
    await page.setInputFiles('#picker', [{ name: `zeta-${mode}.jsonl`, mimeType: 'application/jsonl', buffer: Buffer.from('{}\n') }]);
    await page.waitForSelector(`tr[data-id]:has-text("zeta-${mode}.jsonl")`);
    if (mode === 'mock') {
      await page.fill('#mock-key', 'invalid-key');
      await page.dispatchEvent('#mock-key', 'change');
    } else {
      // A changed token lists again by itself, as a changed key does.
      await page.fill('#proxy-token', 'not-the-token');
      await page.dispatchEvent('#proxy-token', 'change');
    }
    await page.waitForSelector('#error:not([hidden])');
    const text = await page.textContent('#error');
    assert.match(text, /did not accept the key/);
    assert.match(text, /kind\s*authentication/);
    if (mode === 'mock') assert.match(text, /request id\s*zhipu-req-\d+/);
    // A failed listing leaves no rows of the last one behind, and no "Loading…".
    assert.equal(await page.locator('#files tr').count(), 0);
    assert.equal(await page.textContent('#status'), '');
    await page.screenshot({ path: `${artifacts}${mode}-4-auth-error.png`, fullPage: true });

    if (mode === 'proxy') {
      // Without a proxy URL the page says so, rather than listing its own server's 404s as missing files.
      await page.fill('#proxy-url', ' ');
      await page.dispatchEvent('#proxy-url', 'change');
      await page.waitForFunction(() => /proxy’s URL/.test(document.getElementById('error').textContent));
      assert.equal(await page.isVisible('#error'), true);
      // The URL given back, the page lists through the proxy again: the wrong token's refusal replaces that note.
      await page.fill('#proxy-url', demo.proxy);
      await page.dispatchEvent('#proxy-url', 'change');
      await page.waitForFunction(() => /kind\s*authentication/.test(document.getElementById('error').textContent));
    }
    if (mode === 'mock') {
      // Direct mode without a key: an upload says why it cannot start (the client refuses the missing key).
      await page.check('input[name=mode][value=direct]');
      // Only the chosen mode's fields show.
      assert.deepEqual([await page.isVisible('#direct-key'), await page.isVisible('#mock-key'), await page.isVisible('#proxy-url')], [true, false, false]);
      // It says what a connection error most likely means there: providers document no browser access.
      assert.match(await page.textContent('[data-mode=direct]'), /CORS[\s\S]*connection/);
      await page.waitForSelector('#error:not([hidden])');
      await page.evaluate(() => { document.getElementById('error').hidden = true; });
      await page.setInputFiles('#picker', [{ name: 'gamma.txt', mimeType: 'text/plain', buffer: Buffer.from('gamma') }]);
      await page.waitForSelector('#error:not([hidden])', { timeout: 5000 });
      assert.match(await page.textContent('#error'), /kind\s*invalid_argument[\s\S]*apiKey must be a non-empty string/);
      // The base URL goes with the key (keys are bound to a platform): the provider's documented hosts are offered,
      // the default named, and a key and a host list through them (the mock's Zhipu standing in for a real host).
      assert.deepEqual(await hostsOffered(), ['https://open.bigmodel.cn/api/paas/v4', 'https://api.z.ai/api/paas/v4']);
      assert.equal(await page.getAttribute('#direct-base', 'placeholder'), 'https://open.bigmodel.cn/api/paas/v4 (default)');
      await page.fill('#direct-key', 'sk-direct');
      await page.fill('#direct-base', `${demo.mock.url}/zhipu/api/paas/v4`);
      await page.dispatchEvent('#direct-base', 'change');
      await page.waitForSelector(`tr[data-id]:has-text("zeta-${mode}.jsonl")`);
      assert.equal(await page.isVisible('#error'), false);
      // A switch of mode lists again: back on the mock with the wrong key, the rows go and the refusal shows.
      await page.check('input[name=mode][value=mock]');
      await page.waitForSelector('#files tr', { state: 'detached' });
      assert.match(await page.textContent('#error'), /kind\s*authentication/);
      // Another provider's host would not fit: a switch of provider empties the field and offers that one's hosts.
      await page.selectOption('#provider', 'moonshot');
      assert.equal(await page.inputValue('#direct-base'), '');
      assert.deepEqual(await hostsOffered(), ['https://api.moonshot.ai/v1', 'https://api.moonshot.cn/v1']);
    }

    await page.setViewportSize({ width: 375, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 375, `page is ${overflow}px wide at 375px`);
    await page.screenshot({ path: `${artifacts}${mode}-5-narrow.png`, fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
}
