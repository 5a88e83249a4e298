/**
 * What acts on a session's events: a view's table, the event printer, a
 * capture writer, the rules engine, the lifecycle stream. Each sees an event
 * after the state engine parsed it.
 */
import type { ScapEvent } from '../event/scap-event.js';
import type { ContainerInfo } from '../state/containers.js';
import type { StateEngine } from '../state/engine.js';

export interface EventConsumer {
  /**
   * One event, after engine.process(ev). The event object is reused: copy
   * what you keep. Returning false ends the session (e.g. stdout closed).
   */
  onEvent(ev: ScapEvent, engine: StateEngine): boolean | void;
  /** The capture ended (or was stopped): last tables, flushes. */
  finish(): void;
  /**
   * Once, before the first event past the capture's leading container
   * events is processed: the state is the capture's (or /proc's) snapshot.
   */
  onSnapshot?(engine: StateEngine, firstEvent: ScapEvent): void;
  /** Container metadata arrived from an engine (live), after engine.addContainer(info). */
  onContainer?(info: ContainerInfo): void;
}
