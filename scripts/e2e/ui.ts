/**
 * The UI pass: drives the installed extension in code-server like a person
 * (keyboard, command palette, F5/F9/F10) and saves the screenshots the docs
 * and the marketplace README show:
 *   bare-metal-stopped.png  stopped at a breakpoint in hello.c
 *   debugger-stopped.png  the driver-isolation demo stopped in the blk driver: a session per VM, blkback.c
 *   vms-view.png          the Virtual Machines view after a crash injected into blkdrv and its restart
 *   timeline.png          the timeline of that run (fault and restart markers)
 *   no-session.png        a command used with no session says so
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { gotoLine, palette, quickOpen } from './browser';

export interface UiOptions {
  url: string;
  workspace: string;
  /** The driver-isolation demo with a launch.json (stopOnEntry). */
  systemWorkspace: string;
  shots: string;
  /** The debug adapter is in the build: debug the sample. */
  debug: boolean;
  log(message: string): void;
}

async function shot(page: Page, dir: string, name: string, log: (m: string) => void): Promise<string> {
  const file = path.join(dir, name);
  await page.waitForTimeout(600);
  await page.screenshot({ path: file });
  log(`screenshot ${file}`);
  return file;
}

/**
 * Waits until the Call Stack view has a row containing `text`. The view is a
 * virtualized list: rows scrolled out of sight are not in the page, so while
 * waiting it scrolls the list through (a person would scroll too).
 */
async function callStackRow(page: Page, text: string | RegExp, timeoutMs = 30000): Promise<void> {
  const row = page.locator('.debug-call-stack .monaco-list-row', { hasText: text }).first();
  const list = page.locator('.debug-call-stack .monaco-list').first();
  const end = Date.now() + timeoutMs;
  for (let turn = 0; !(await row.count()); turn++) {
    if (Date.now() > end) throw new Error(`the Call Stack view shows no row with ${String(text)} after ${timeoutMs / 1000} s`);
    if (turn % 2 === 1 && (await list.isVisible().catch(() => false))) {
      await list.hover().catch(() => undefined);
      // down a screen at a time; from the bottom back to the top
      await page.mouse.wheel(0, turn % 16 === 15 ? -10000 : 150);
    }
    await page.waitForTimeout(250);
  }
}

/** Waits until the call stack shows a frame whose row contains `text`. */
async function stoppedIn(page: Page, text: string): Promise<void> {
  await callStackRow(page, text);
}

/** Waits until the Variables view lists the registers of the current stop (so the adapter is done answering). */
async function registersShown(page: Page): Promise<void> {
  await page.locator('.debug-variables .monaco-list-row', { hasText: 'x1 (ra)' }).first().waitFor({ timeout: 15000 });
}

/** Moves the keyboard focus to the editor (no focus outline left on a view header). */
async function focusEditor(page: Page): Promise<void> {
  await palette(page, 'View: Focus Active Editor Group').catch(() => undefined);
}

async function clearNotifications(page: Page): Promise<void> {
  await palette(page, 'Notifications: Clear All Notifications').catch(() => undefined);
  await page.keyboard.press('Escape');
}

/** Collapses the built-in debug views the screenshots do not need (Watch, Breakpoints). */
async function collapseView(page: Page, title: string): Promise<void> {
  const header = page.locator('.pane-header', { hasText: title }).first();
  if ((await header.count()) && (await header.getAttribute('aria-expanded')) === 'true') await header.click();
}

/** The blk driver's request handler (guests/blk-driver/blkback.c). */
const BLK_HANDLER = 'take_request';

/** Shows the system file in the editor (the screenshots of the VM views show it beside them). */
async function showSystemFile(page: Page): Promise<void> {
  await palette(page, 'View: Close All Editors').catch(() => undefined);
  await quickOpen(page, 'system.json');
  await focusEditor(page);
}

async function openFolder(page: Page, url: string, folder: string): Promise<void> {
  await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  await page.locator('.explorer-folders-view').first().waitFor({ timeout: 60000 });
  await page.waitForTimeout(2500);
  await palette(page, 'View: Close All Editors').catch(() => undefined);
}

export async function uiPass(page: Page, o: UiOptions): Promise<string[]> {
  const shots: string[] = [];
  fs.mkdirSync(o.shots, { recursive: true });
  // the extension-host suite ran in this workspace: openFolder starts from no open editors
  await openFolder(page, o.url, o.workspace);
  o.log('workbench ready');

  if (o.debug) {
    const source = fs.readFileSync(path.join(o.workspace, 'hello.c'), 'utf8').split('\n');
    const bpLine = source.findIndex((l) => l.includes('puts_uart("primes below 2000 = ")')) + 1;
    if (bpLine <= 0) throw new Error('hello.c has no "primes below 2000" line for the breakpoint');
    await quickOpen(page, 'hello.c');
    await page.locator('.monaco-editor .view-lines').first().click();
    await gotoLine(page, bpLine);
    await page.keyboard.press('F9');
    o.log(`breakpoint at hello.c:${bpLine}`);

    await page.keyboard.press('F5'); // launch.json: "pvlab: debug hello.elf", stopOnEntry
    await stoppedIn(page, '_start');
    await registersShown(page);
    o.log('stopped on entry (_start)');
    await page.keyboard.press('F5');
    await stoppedIn(page, 'main');
    await registersShown(page);
    o.log('stopped at the breakpoint in main');
    await collapseView(page, 'Watch');
    await collapseView(page, 'Breakpoints');
    await focusEditor(page);
    await clearNotifications(page);
    shots.push(await shot(page, o.shots, 'bare-metal-stopped.png', o.log));
    await page.keyboard.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15000 }).catch(() => undefined);
    await page.waitForTimeout(1000);
    o.log('bare-metal debugging stopped');

    // The driver-isolation demo: a system session and one child session per VM.
    await openFolder(page, o.url, o.systemWorkspace);
    o.log('driver-isolation workspace open');
    // A function breakpoint on the blk driver's request handler (guests/blk-driver/blkback.c).
    await palette(page, 'Add Function Breakpoint');
    await page.waitForTimeout(500);
    await page.keyboard.type(BLK_HANDLER);
    await page.keyboard.press('Enter');
    o.log(`function breakpoint on ${BLK_HANDLER}`);
    await page.keyboard.press('F5'); // launch.json: the system, stopOnEntry
    for (const vm of ['client', 'blkdrv', 'netdrv']) await callStackRow(page, vm);
    await page.waitForTimeout(1000);
    o.log('stopped on entry: the call stack shows client, blkdrv, netdrv');
    // room for the call stack: three sessions with their frames
    await collapseView(page, 'Watch');
    await collapseView(page, 'Breakpoints');
    await page.locator('.debug-toolbar .codicon-debug-continue').first().click();
    await callStackRow(page, /paused on function breakpoint/i);
    // Expand blkdrv's session until its frames show: VS Code re-renders (and may collapse
    // it again) while the other sessions report their stops.
    for (let attempt = 1; ; attempt++) {
      const blkRow = page.locator('.debug-call-stack .monaco-list-row', { hasText: /paused on function breakpoint/i }).first();
      if ((await blkRow.getAttribute('aria-expanded').catch(() => null)) === 'false') await blkRow.locator('.monaco-tl-twistie').click().catch(() => undefined);
      const shown = await callStackRow(page, BLK_HANDLER, 5000).then(() => true, () => false);
      if (shown) break;
      if (attempt === 6) throw new Error(`the Call Stack view shows no row with ${BLK_HANDLER} after ${attempt} tries to expand blkdrv's session`);
      o.log(`blkdrv's frames not shown yet; expanding its session again`);
    }
    // Select blkdrv's top frame (VS Code leaves the focus on the session that had it): the guest's
    // source opens there, its DWARF path resolved to the workspace's guests/ folder.
    // (The list re-renders while the other sessions report their stops: a click can land
    // on a row that moved, so it is retried until the source is open.)
    for (let attempt = 1; ; attempt++) {
      const frameRow = page.locator('.debug-call-stack .monaco-list-row', { hasText: BLK_HANDLER }).first();
      await frameRow.scrollIntoViewIfNeeded({ timeout: 5000 }).catch(() => undefined);
      await frameRow.click();
      const opened = await page
        .locator('.tab[aria-label^="blkback.c"]')
        .first()
        .waitFor({ timeout: 5000 })
        .then(() => true, () => false);
      if (opened) break;
      if (attempt === 3) throw new Error(`blkback.c did not open after ${attempt} clicks on the ${BLK_HANDLER} frame`);
      o.log(`the ${BLK_HANDLER} frame click did not open blkback.c; again`);
    }
    await page.waitForTimeout(1000);
    o.log(`blkdrv stopped at ${BLK_HANDLER}; blkback.c is open at the stop`);
    await clearNotifications(page);
    shots.push(await shot(page, o.shots, 'debugger-stopped.png', o.log));

    // Crash the blk driver from the command palette, run, and wait for the hypervisor's restart.
    await palette(page, 'pvlab: Inject Fault…');
    const vmPick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'blkdrv' }).first();
    await vmPick.waitFor({ timeout: 15000 });
    await page.locator('.quick-input-widget input').fill('blkdrv');
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
    const kind = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Unhandled trap' }).first();
    await kind.waitFor({ timeout: 15000 });
    await page.locator('.quick-input-widget input').fill('Unhandled trap');
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
    await page.locator('.statusbar', { hasText: 'injected a trap fault into blkdrv' }).first().waitFor({ timeout: 15000 });
    o.log('injected a trap into blkdrv (the status bar says so)');
    await palette(page, 'pvlab: Show Virtual Machines');
    const cont = page.locator('.debug-toolbar .codicon-debug-continue').first();
    await cont.click();
    const restarted = page.locator('.monaco-list-row', { hasText: /blkdrv.*1 restart/ }).first();
    const end = Date.now() + 30000;
    while (!(await restarted.count())) {
      if (Date.now() > end) throw new Error('blkdrv did not show 1 restart in the Virtual Machines view');
      // a stop on the way (the trap, the handler before the crash): continue
      if (await cont.isVisible().catch(() => false)) await cont.click().catch(() => undefined);
      await page.waitForTimeout(500);
    }
    // the restarted driver serves the client's reissued requests: it stops at the handler again
    await cont.waitFor({ timeout: 15000 }).catch(() => undefined);
    await page.locator('.monaco-list-row', { hasText: /blkdrv.*running/ }).first().waitFor({ timeout: 5000 }).catch(() => undefined);
    o.log('the Virtual Machines view shows blkdrv restarted once');
    await collapseView(page, 'Variables');
    await collapseView(page, 'Call Stack');
    await showSystemFile(page);
    await clearNotifications(page);
    shots.push(await shot(page, o.shots, 'vms-view.png', o.log));

    await palette(page, 'pvlab: Show Timeline');
    const frame = page.frameLocator('iframe.webview').frameLocator('iframe');
    await frame.locator('canvas#states').waitFor({ timeout: 20000 });
    await page.waitForTimeout(1500);
    await clearNotifications(page);
    shots.push(await shot(page, o.shots, 'timeline.png', o.log));

    // Shift+F5 stops the focused session; repeat until the system session and every VM session are gone
    for (let i = 0; i < 8 && (await page.locator('.debug-toolbar').isVisible().catch(() => false)); i++) {
      await page.keyboard.press('Shift+F5');
      await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
    }
    await page.waitForTimeout(1000);
    o.log('debugging stopped');
  }

  await palette(page, 'View: Close All Editors').catch(() => undefined);
  await palette(page, 'pvlab: Inject Fault…');
  await page.locator('.notification-toast', { hasText: 'no pvlab debug session is running' }).first().waitFor({ timeout: 15000 });
  o.log('Inject Fault with no session: the notification says so');
  shots.push(await shot(page, o.shots, 'no-session.png', o.log));
  return shots;
}
