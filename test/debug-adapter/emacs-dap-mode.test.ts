/**
 * A second, independent DAP client: Emacs dap-mode (Debian's elpa-dap-mode),
 * in batch mode, debugging the bare-metal C program through the real adapter:
 * a line breakpoint set in the source buffer, stop, stack, evaluate, next,
 * breakpoint removal, continue to the end with output and exit code.
 *
 * Needs `emacs` with dap-mode (apt-get install --no-install-recommends
 * emacs-nox elpa-dap-mode); skipped visibly without it, failing under CI=true.
 */
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { requireTool, skipWithMessage } from '../support/tools';
import { ADAPTER, buildPrograms, fixture, line } from './support';

const ELPA = '/usr/share/emacs/site-lisp/elpa';

function elispString(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

function script(home: string, elf: string): string {
  const main = fixture('main.c');
  return `
(setq user-emacs-directory ${elispString(home + '/')})
(dolist (d (directory-files ${elispString(ELPA)} t "^[a-z]")) (add-to-list 'load-path d))
(require 'dap-mode)
(require 'dap-ui) ; defines dap-exception-breakpoints, which dap-mode reads when it configures a session
(setq dap-auto-configure-features nil)
(setq dap-breakpoints-file ${elispString(path.join(home, 'breakpoints'))})
(setq dap-print-io nil)
(setq inhibit-message nil)
(defvar pv-stops 0)
(defvar pv-reasons nil)
(defvar pv-exit nil)
(defvar pv-terminated nil)
(defvar pv-out "")
(defun pv-log (fmt &rest args) (princ (concat "PVTEST " (apply #'format fmt args) "\\n") #'external-debugging-output))
(advice-add 'dap--on-event :before
  (lambda (_session event)
    (let ((type (gethash "event" event)) (body (gethash "body" event)))
      (cond ((equal type "stopped") (setq pv-stops (1+ pv-stops)) (push (gethash "reason" body) pv-reasons))
            ((equal type "exited") (setq pv-exit (gethash "exitCode" body)))
            ((equal type "terminated") (setq pv-terminated t))
            ((and (equal type "output") (equal (gethash "category" body) "stdout"))
             (setq pv-out (concat pv-out (gethash "output" body))))))))
(dap-register-debug-provider "pvlab"
  (lambda (conf) (plist-put conf :dap-server-path (list "node" ${elispString(ADAPTER)})) conf))
(defun pv-wait (pred secs)
  (let ((end (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) end)) (accept-process-output nil 0.05))))
(defun pv-request (cmd args)
  (let ((resp nil))
    (dap--send-message (dap--make-request cmd args) (lambda (r) (setq resp r)) (dap--cur-session))
    (pv-wait (lambda () resp) 10)
    resp))
(defun pv-top-frame ()
  (let* ((resp (pv-request "stackTrace" (list :threadId 1)))
         (frames (gethash "stackFrames" (gethash "body" resp))))
    (elt frames 0)))
(condition-case err
    (progn
      (find-file ${elispString(main)})
      (goto-char (point-min))
      (forward-line ${line('main.c', 'square_body') - 1})
      (dap-breakpoint-add)
      (dap-debug (list :type "pvlab" :request "launch" :name "pvlab-emacs" :program ${elispString(elf)}))
      (pv-wait (lambda () (> pv-stops 0)) 30)
      (pv-log "stops=%d reason=%s" pv-stops (car pv-reasons))
      (let ((f (pv-top-frame)))
        (pv-log "frame=%s line=%s path=%s ip=%s" (gethash "name" f) (gethash "line" f)
                (gethash "path" (gethash "source" f)) (gethash "instructionPointerReference" f)))
      (let ((ev (pv-request "evaluate" (list :expression "a0" :context "repl"))))
        (pv-log "a0=%s" (gethash "result" (gethash "body" ev))))
      (pv-wait (lambda () (dap--debug-session-thread-id (dap--cur-session))) 5)
      (dap-next (dap--cur-session))
      (pv-wait (lambda () (> pv-stops 1)) 20)
      (pv-log "nextline=%s" (gethash "line" (pv-top-frame)))
      (with-current-buffer (find-file-noselect ${elispString(main)})
        (dap-breakpoint-delete-all))
      (pv-wait (lambda () nil) 0.3)
      (dap-continue (dap--cur-session) 1)
      (pv-wait (lambda () pv-terminated) 30)
      (pv-log "exit=%s terminated=%s" pv-exit pv-terminated)
      (pv-log "output=%s" (replace-regexp-in-string "\n" "|" (replace-regexp-in-string " " "_" pv-out))))
  (error (pv-log "error=%S" err)))
(kill-emacs 0)
`;
}

function runEmacs(file: string, timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('emacs', ['--batch', '-Q', '-l', file], { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err && (err as { killed?: boolean }).killed) reject(new Error(`emacs timed out\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

describe('debug adapter: Emacs dap-mode as a second DAP client', function () {
  this.timeout(120_000);

  it('debugs the C program end to end', async function () {
    requireTool(this, 'emacs');
    if (!fs.existsSync(ELPA) || !fs.readdirSync(ELPA).some((d) => d.startsWith('dap-mode'))) {
      if (process.env.CI === 'true') throw new Error('dap-mode is not installed (CI must install elpa-dap-mode)');
      skipWithMessage(this, 'Emacs dap-mode (elpa-dap-mode) is not installed');
    }
    const progs = buildPrograms(this);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-emacs-'));
    try {
      const el = path.join(home, 'test.el');
      fs.writeFileSync(el, script(home, progs.c));
      const { stderr } = await runEmacs(el, 100_000);
      const results = new Map<string, string>();
      for (const l of stderr.split('\n')) {
        const m = /^PVTEST (.*)$/.exec(l);
        if (!m) continue;
        for (const kv of m[1].matchAll(/(\w[\w-]*)=("(?:[^"\\]|\\.)*"|\S+)/g)) results.set(kv[1], kv[2]);
      }
      const got = (k: string) => results.get(k);
      assert.ok(!results.has('error'), `dap-mode reported an error: ${got('error')}\n${stderr}`);
      assert.strictEqual(got('reason'), 'breakpoint', stderr);
      assert.strictEqual(got('frame'), 'square');
      assert.strictEqual(Number(got('line')), line('main.c', 'square_body'));
      assert.strictEqual(got('path'), fixture('main.c'));
      assert.match(got('ip') ?? '', /^0x[0-9a-f]{8}$/);
      assert.strictEqual(got('a0'), '0');
      assert.strictEqual(Number(got('nextline')), line('main.c', 'square_ret'));
      assert.strictEqual(got('exit'), '50');
      assert.strictEqual(got('terminated'), 't');
      assert.strictEqual(got('output'), 'hello_from_pvlab|done|', 'the UART output, spaces as _ and newlines as |');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
