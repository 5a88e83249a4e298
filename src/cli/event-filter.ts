/**
 * Compiles the positional filter of the event listing. (Temporary: evt.type / proc.name equality only,
 * until the filter language module is wired in.)
 */
import type { ScapEvent } from '../event/scap-event.js';
import type { StateEngine } from '../state/engine.js';
import { eventTypeName } from '../format/event-line.js';
import { UsageError } from './args.js';

export type EventPredicate = (ev: ScapEvent, engine: StateEngine) => boolean;

export function compileEventFilter(text: string): EventPredicate {
  const m = /^\s*(evt\.type|proc\.name)\s*=\s*(\S+)\s*$/.exec(text);
  if (m === null) throw new UsageError(`unsupported filter '${text}'`);
  const want = m[2]!;
  if (m[1] === 'evt.type') return (ev) => eventTypeName(ev) === want;
  return (_ev, engine) => (engine.thread?.comm ?? '<NA>') === want;
}
