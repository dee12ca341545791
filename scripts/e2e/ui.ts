/**
 * The UI pass: drives the installed extension in code-server like a person
 * (keyboard, command palette, F5/F9/F10) and saves the screenshots the docs
 * and the marketplace README show:
 *   debugger-stopped.png  stopped at a breakpoint in hello.c
 *   vms-view.png          the Virtual Machines view after an injected crash
 *   timeline.png          the timeline of that run
 *   no-session.png        a command used with no session says so
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { gotoLine, palette, quickOpen } from './browser';

export interface UiOptions {
  url: string;
  workspace: string;
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

/** Waits until the call stack shows a frame whose row contains `text`. */
async function stoppedIn(page: Page, text: string): Promise<void> {
  await page.locator('.debug-call-stack .monaco-list-row', { hasText: text }).first().waitFor({ timeout: 30000 });
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

export async function uiPass(page: Page, o: UiOptions): Promise<string[]> {
  const shots: string[] = [];
  fs.mkdirSync(o.shots, { recursive: true });
  await page.goto(`${o.url}/?folder=${encodeURIComponent(o.workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  await page.locator('.explorer-folders-view').first().waitFor({ timeout: 60000 });
  await page.waitForTimeout(2500);
  // the extension-host suite ran in this workspace: start from no open editors
  await palette(page, 'View: Close All Editors').catch(() => undefined);
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
    shots.push(await shot(page, o.shots, 'debugger-stopped.png', o.log));

    // Crash the machine from the command palette, then let it run into the fault.
    await palette(page, 'pvlab: Inject Fault…');
    const kind = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Trap' }).first();
    await kind.waitFor({ timeout: 15000 });
    await page.locator('.quick-input-widget input').fill('Trap');
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
    await page.locator('.statusbar', { hasText: 'injected a trap fault' }).first().waitFor({ timeout: 15000 });
    o.log('injected a trap (the status bar says so)');
    await page.keyboard.press('F5');
    await palette(page, 'pvlab: Show Virtual Machines');
    const vmRow = page.locator('.monaco-list-row', { hasText: 'crashed' }).first();
    await vmRow.waitFor({ timeout: 20000 });
    o.log('the Virtual Machines view shows the crash');
    await collapseView(page, 'Variables');
    await focusEditor(page);
    await clearNotifications(page);
    shots.push(await shot(page, o.shots, 'vms-view.png', o.log));

    await palette(page, 'pvlab: Show Timeline');
    const frame = page.frameLocator('iframe.webview').frameLocator('iframe');
    await frame.locator('canvas#states').waitFor({ timeout: 20000 });
    await page.waitForTimeout(1500);
    await clearNotifications(page);
    shots.push(await shot(page, o.shots, 'timeline.png', o.log));

    await page.keyboard.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15000 }).catch(() => undefined);
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
