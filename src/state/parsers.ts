/**
 * Dispatch from event type to the parser that applies it to the state.
 * Event types with no state effect fall through untouched.
 */
import { FdType } from '../capture/records.js';
import type { ScapEvent } from '../event/scap-event.js';
import { EV } from '../event/event-ids.js';
import type { StateEngine } from './engine.js';
import {
  parseChdirExit,
  parseCloseEnter,
  parseCloseExit,
  parseDupExit,
  parseFchdirExit,
  parseFcntlExit,
  parseOpenExit,
  parsePipeExit,
  parseSimpleFdExit,
} from './parse-fds.js';
import {
  inferSendtoSocket,
  parseAcceptExit,
  parseBindExit,
  parseConnectEnter,
  parseConnectExit,
  parseRwExit,
  parseSocketExit,
  parseSocketpairExit,
} from './parse-net.js';
import {
  parseCloneExit,
  parseContainerEvent,
  parseContextSwitch,
  parseCapsetExit,
  parseExecveExit,
  parseMemoryExit,
  parseProcExit,
  parseProcInfo,
  parseSetIdExit,
} from './parse-process.js';

/** Enter events whose arguments the exit's parser needs (kept on the thread). */
const STORE_ENTER = new Uint8Array(1024);
for (const t of [
  EV.OPEN_E,
  EV.CREAT_E,
  EV.OPENAT_E,
  EV.OPENAT_2_E,
  EV.OPENAT2_E,
  EV.SOCKET_E,
  EV.EVENTFD_E,
  EV.CHDIR_E,
  EV.FCHDIR_E,
  EV.SHUTDOWN_E,
  EV.GETRLIMIT_E,
  EV.SETRLIMIT_E,
  EV.PRLIMIT_E,
  EV.SENDMSG_E,
  EV.SENDFILE_E,
  EV.SETRESUID_E,
  EV.SETRESGID_E,
  EV.SETUID_E,
  EV.SETGID_E,
  EV.EXECVE_18_E,
  EV.EXECVE_19_E,
  EV.EXECVEAT_E,
  EV.SETPGID_E,
  EV.SENDTO_E,
]) {
  STORE_ENTER[t] = 1;
}

export function parseEvent(engine: StateEngine, ev: ScapEvent): void {
  const type = ev.type;
  const t = engine.thread;
  if (type < STORE_ENTER.length && STORE_ENTER[type] === 1) {
    if (type === EV.SENDTO_E) inferSendtoSocket(engine, ev);
    if (t !== null) engine.storeEnterEvent(ev, t);
    return;
  }
  switch (type) {
    case EV.READ_X:
    case EV.WRITE_X:
    case EV.RECV_X:
    case EV.SEND_X:
    case EV.RECVFROM_X:
    case EV.RECVMSG_X:
    case EV.SENDTO_X:
    case EV.SENDMSG_X:
    case EV.READV_X:
    case EV.WRITEV_X:
    case EV.PREAD_X:
    case EV.PWRITE_X:
    case EV.PREADV_X:
    case EV.PWRITEV_X:
      parseRwExit(engine, ev);
      break;
    case EV.OPEN_X:
    case EV.CREAT_X:
    case EV.OPENAT_X:
    case EV.OPENAT_2_X:
    case EV.OPENAT2_X:
      parseOpenExit(engine, ev);
      break;
    case EV.CLONE_11_X:
    case EV.CLONE_16_X:
    case EV.CLONE_17_X:
    case EV.CLONE_20_X:
    case EV.FORK_X:
    case EV.FORK_17_X:
    case EV.FORK_20_X:
    case EV.VFORK_X:
    case EV.VFORK_17_X:
    case EV.VFORK_20_X:
    case EV.CLONE3_X:
      parseCloneExit(engine, ev);
      break;
    case EV.EXECVE_8_X:
    case EV.EXECVE_13_X:
    case EV.EXECVE_14_X:
    case EV.EXECVE_15_X:
    case EV.EXECVE_16_X:
    case EV.EXECVE_17_X:
    case EV.EXECVE_18_X:
    case EV.EXECVE_19_X:
    case EV.EXECVEAT_X:
      parseExecveExit(engine, ev);
      break;
    case EV.CAPSET_X:
      parseCapsetExit(engine, ev);
      break;
    case EV.PROCEXIT_E:
    case EV.PROCEXIT_1_E:
      parseProcExit(engine);
      break;
    case EV.PIPE_X:
    case EV.PIPE2_X:
      parsePipeExit(engine, ev);
      break;
    case EV.SOCKET_X:
      parseSocketExit(engine, ev);
      break;
    case EV.BIND_X:
      parseBindExit(engine, ev);
      break;
    case EV.CONNECT_E:
      parseConnectEnter(engine, ev);
      break;
    case EV.CONNECT_X:
      parseConnectExit(engine, ev);
      break;
    case EV.ACCEPT_X:
    case EV.ACCEPT_5_X:
    case EV.ACCEPT4_X:
    case EV.ACCEPT4_5_X:
    case EV.ACCEPT4_6_X:
      parseAcceptExit(engine, ev);
      break;
    case EV.CLOSE_E:
      parseCloseEnter(engine);
      break;
    case EV.CLOSE_X:
      parseCloseExit(engine, ev);
      break;
    case EV.FCNTL_E:
      if (t !== null) engine.storeEnterEvent(ev, t);
      break;
    case EV.FCNTL_X:
      parseFcntlExit(engine, ev);
      break;
    case EV.EVENTFD_X:
    case EV.EVENTFD2_X:
      parseSimpleFdExit(engine, ev, FdType.EVENT);
      break;
    case EV.SIGNALFD_X:
    case EV.SIGNALFD4_X:
      parseSimpleFdExit(engine, ev, FdType.SIGNALFD);
      break;
    case EV.TIMERFD_CREATE_X:
      parseSimpleFdExit(engine, ev, FdType.TIMERFD);
      break;
    case EV.INOTIFY_INIT_X:
    case EV.INOTIFY_INIT1_X:
      parseSimpleFdExit(engine, ev, FdType.INOTIFY);
      break;
    case EV.EPOLL_CREATE_X:
    case EV.EPOLL_CREATE1_X:
      parseSimpleFdExit(engine, ev, FdType.EVENTPOLL);
      break;
    case EV.CHDIR_X:
      parseChdirExit(engine, ev);
      break;
    case EV.FCHDIR_X:
      parseFchdirExit(engine, ev);
      break;
    case EV.DUP_X:
    case EV.DUP_1_X:
    case EV.DUP2_X:
    case EV.DUP3_X:
      parseDupExit(engine, ev);
      break;
    case EV.SOCKETPAIR_X:
      parseSocketpairExit(engine, ev);
      break;
    case EV.BRK_4_X:
    case EV.MMAP_X:
    case EV.MMAP2_X:
    case EV.MUNMAP_X:
      parseMemoryExit(engine, ev);
      break;
    case EV.SETRESUID_X:
    case EV.SETRESGID_X:
    case EV.SETUID_X:
    case EV.SETGID_X:
      parseSetIdExit(engine, ev);
      break;
    case EV.CONTAINER_JSON_E:
    case EV.CONTAINER_JSON_2_E:
      parseContainerEvent(engine, ev);
      break;
    case EV.SCHEDSWITCH_6_E:
      parseContextSwitch(engine, ev);
      break;
    case EV.PROCINFO_E:
      parseProcInfo(engine, ev);
      break;
    default:
      break;
  }
}
