/**
 * Command-line texts of a thread (proc.args, proc.cmdline, proc.exeline),
 * cached on the thread itself: tables read them for every event of every
 * process, interleaved, so a single shared cache would miss on each switch
 * of thread. A text is rebuilt only when the pieces it is made of are
 * replaced (the state replaces, never mutates, comm/exe/args).
 */
import type { ThreadInfo } from '../state/thread-info.js';

interface ThreadTexts {
  args: readonly string[] | null;
  argsText: string;
  cmdComm: string;
  cmdArgs: readonly string[] | null;
  cmdline: string;
  exeExe: string;
  exeArgs: readonly string[] | null;
  exeline: string;
}

function textsOf(t: ThreadInfo): ThreadTexts {
  let x = t.texts as ThreadTexts | null;
  if (x === null) {
    x = { args: null, argsText: '', cmdComm: '', cmdArgs: null, cmdline: '', exeExe: '', exeArgs: null, exeline: '' };
    t.texts = x;
  }
  return x;
}

/** proc.args: the arguments joined by spaces. */
export function argsText(t: ThreadInfo): string {
  const x = textsOf(t);
  if (x.args !== t.args) {
    x.args = t.args;
    x.argsText = t.args.join(' ');
  }
  return x.argsText;
}

/** proc.cmdline: comm, then the arguments. */
export function cmdlineText(t: ThreadInfo): string {
  const x = textsOf(t);
  if (x.cmdComm !== t.comm || x.cmdArgs !== t.args) {
    x.cmdComm = t.comm;
    x.cmdArgs = t.args;
    x.cmdline = t.args.length === 0 ? t.comm : `${t.comm} ${t.args.join(' ')}`;
  }
  return x.cmdline;
}

/** proc.exeline: exe, a space, then the arguments (sysdig keeps the space even without arguments). */
export function exelineText(t: ThreadInfo): string {
  const x = textsOf(t);
  if (x.exeExe !== t.exe || x.exeArgs !== t.args) {
    x.exeExe = t.exe;
    x.exeArgs = t.args;
    x.exeline = `${t.exe} ${t.args.join(' ')}`;
  }
  return x.exeline;
}
