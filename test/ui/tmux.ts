/**
 * Drives tsysdig in a detached tmux session, as a person at a terminal
 * would: type keys, read the screen. Every test server runs on its own tmux
 * socket, so the tests never touch the user's tmux.
 *
 * Screen conditions are polled until a deadline (never a fixed sleep used as
 * an assertion): waitFor() returns the first screen satisfying the check,
 * or throws with the last screen seen.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { newestMtime, ROOT } from '../helpers/fixtures.js';

export const SOCKET = `tsysdig-ui-test-${process.pid}`;
/** Relative to the repository (the sessions start there), so the screen does not depend on where it is checked out. */
export const CAPTURE = 'test/fixtures/libs_curl_google.scap';

export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V']).status === 0;
}

function tmux(args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

/**
 * Compiles the project into dist/ when a source file is newer than the
 * compiled UI. tsc still emits when a colleague's in-progress file has type
 * errors, so only a missing output is fatal.
 */
export function ensureBuilt(): void {
  const out = join(ROOT, 'dist', 'ui', 'index.js');
  if (existsSync(out) && statSync(out).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  spawnSync('npx', ['tsc', '-p', ROOT], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(out)) throw new Error('build failed: dist/ui/index.js missing');
}

export interface Session {
  name: string;
  keys(...k: string[]): void;
  /** Types text literally. */
  type(text: string): void;
  screen(): string[];
  /** Screen with escape sequences (colours). */
  screenEscapes(): string[];
  waitFor(check: (lines: string[]) => boolean, what: string, timeoutMs?: number): Promise<string[]>;
  waitForText(text: string | RegExp, timeoutMs?: number): Promise<string[]>;
  /** tmux's view of the terminal modes: alternate screen, cursor, mouse reporting. */
  modes(): { alternate: boolean; cursor: boolean; mouse: boolean };
  pid(): number;
  resize(w: number, h: number): void;
  kill(): void;
}

let counter = 0;

/**
 * Starts `args` (tsysdig's arguments) in a w x h tmux window. The shell
 * line after it prints EXIT=<code> and keeps the pane open, so a test can
 * see what the terminal looks like after tsysdig is gone.
 */
export function start(args: string[], w = 160, h = 45, env: Record<string, string> = {}): Session {
  const name = `ui${process.pid}_${++counter}`;
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const envs = Object.entries({ TZ: 'UTC', ...env })
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  const cmd = `cd '${ROOT}' && env ${envs} node bin/tsysdig.js ${quoted} 2>/tmp/${name}.err; echo "EXIT=$?"; sleep 600`;
  tmux(['new-session', '-d', '-s', name, '-x', String(w), '-y', String(h), cmd]);
  const target = ['-t', name];
  const s: Session = {
    name,
    keys: (...k) => {
      for (const key of k) tmux(['send-keys', ...target, key]);
    },
    type: (text) => {
      tmux(['send-keys', ...target, '-l', text]);
    },
    screen: () => tmux(['capture-pane', '-p', ...target]).replace(/\n$/, '').split('\n'),
    screenEscapes: () => tmux(['capture-pane', '-p', '-e', ...target]).replace(/\n$/, '').split('\n'),
    waitFor: async (check, what, timeoutMs = 15_000) => {
      // The condition must hold on two captures in a row: a capture can catch tmux half-way
      // through a redraw, and a screen that is still changing is not what the user sees.
      const deadline = Date.now() + timeoutMs;
      let last: string[] = [];
      let held = 0;
      for (;;) {
        const cur = s.screen();
        if (check(cur)) {
          if (held > 0 && cur.join('\n') === last.join('\n')) return cur;
          held++;
        } else held = 0;
        last = cur;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${last.join('\n')}`);
        await new Promise((r) => setTimeout(r, 40));
      }
    },
    waitForText: (text, timeoutMs) =>
      s.waitFor((l) => (typeof text === 'string' ? l.some((x) => x.includes(text)) : l.some((x) => text.test(x))), String(text), timeoutMs),
    modes: () => {
      const out = tmux(['display-message', '-p', ...target, '#{alternate_on} #{cursor_flag} #{mouse_any_flag}']).trim().split(' ');
      return { alternate: out[0] === '1', cursor: out[1] === '1', mouse: out[2] === '1' };
    },
    pid: () => {
      // The pane runs sh -c; tsysdig is its node child.
      const panePid = tmux(['display-message', '-p', ...target, '#{pane_pid}']).trim();
      const out = spawnSync('pgrep', ['-P', panePid, 'node'], { encoding: 'utf8' }).stdout.trim();
      return Number(out.split('\n')[0]);
    },
    resize: (w2, h2) => {
      tmux(['resize-window', ...target, '-x', String(w2), '-y', String(h2)]);
    },
    kill: () => {
      try {
        tmux(['kill-session', ...target]);
      } catch {
        // already gone
      }
    },
  };
  return s;
}

/**
 * tmux exits with its last session, and a session started while it exits
 * fails ("server exited unexpectedly"): keep one idle session for the run.
 */
export function startServer(): void {
  tmux(['new-session', '-d', '-s', 'keepalive', 'sleep 86400']);
}

export function killServer(): void {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore' });
}

/** The data rows of a table screen (between the header row and the footer). */
export function tableRows(lines: string[]): string[] {
  return lines.slice(3, lines.length - 1).filter((l) => l.trim() !== '');
}

/** The footer's position "N/M(P%)". */
export function position(lines: string[]): { pos: number; total: number } | null {
  const m = /(\d+)\/(\d+)\(\d+\.\d%\)\s*$/.exec(lines[lines.length - 1] ?? '');
  return m === null ? null : { pos: Number(m[1]), total: Number(m[2]) };
}

/** The sessions a test file opens, closed (with their stderr files) after each test. */
export class OpenSessions {
  private readonly list: Session[] = [];

  open(args: string[], w = 160, h = 45, env: Record<string, string> = {}): Session {
    const s = start(args, w, h, env);
    this.list.push(s);
    return s;
  }

  closeAll(): void {
    for (const s of this.list.splice(0)) {
      s.kill();
      rmSync(`/tmp/${s.name}.err`, { force: true });
    }
  }
}
