/**
 * Falco's syslog_output: each line as one datagram to the local syslog
 * socket (/dev/log; overridable), formatted as glibc's syslog(3) formats it
 * (syslog-format.ts). Node has no unix datagram sockets, so the socket is
 * libc's, through koffi; it is non-blocking, so a syslog daemon that does not
 * read makes lines wait in the queue instead of stalling capture.
 */
import { getSocketCalls, type SocketCalls } from '../live/libc.js';
import { encodeText } from './encode.js';
import { OK, QueuedChannel, type Delivery, type QueueSettings } from './queued-channel.js';
import { syslogMessage } from './syslog-format.js';

export interface SyslogChannelConfig {
  /** The datagram socket of the syslog daemon. */
  socketPath: string;
  /** The name before the colon: glibc uses the program's name. */
  tag: string;
}

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const EAGAIN = 11;
const ENOBUFS = 105;
const EMSGSIZE = 90;
/** sun_path is 108 bytes, NUL included. */
const SUN_PATH_MAX = 107;

export class SyslogChannel extends QueuedChannel {
  private readonly calls: SocketCalls;
  private readonly addr: Buffer;
  private fd = -1;

  constructor(
    private readonly cfg: SyslogChannelConfig,
    settings: QueueSettings,
  ) {
    super('syslog', cfg.socketPath, settings);
    const path = Buffer.from(cfg.socketPath, 'utf8');
    if (path.length > SUN_PATH_MAX) throw new Error(`syslog socket path is longer than ${SUN_PATH_MAX} bytes: ${cfg.socketPath}`);
    // struct sockaddr_un: sa_family_t (u16), then the NUL-terminated path.
    this.addr = Buffer.alloc(2 + path.length + 1);
    this.addr.writeUInt16LE(AF_UNIX, 0);
    path.copy(this.addr, 2);
    this.calls = getSocketCalls();
  }

  protected override deliver(): Promise<Delivery> {
    return Promise.resolve(this.send());
  }

  private send(): Delivery {
    if (this.fd < 0) {
      this.fd = this.calls.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (this.fd < 0) return { kind: 'retry', reason: `socket(): ${this.calls.strerror(this.calls.errno())}` };
    }
    const msg = encodeText(syslogMessage(this.queue.peekPriority(0), this.cfg.tag, this.queue.peek(0), new Date()));
    if (this.calls.sendto(this.fd, msg, msg.length, 0, this.addr, this.addr.length) >= 0) return OK;
    const errno = this.calls.errno();
    const why = this.calls.strerror(errno);
    if (errno === EMSGSIZE) return { kind: 'reject', reason: `a ${msg.length}-byte message is too large for the socket (${why})` };
    if (errno === EAGAIN || errno === ENOBUFS) return { kind: 'retry', reason: `the syslog daemon is not reading (${why})` };
    return { kind: 'retry', reason: why };
  }

  protected override release(): void {
    if (this.fd >= 0) this.calls.close(this.fd);
    this.fd = -1;
  }
}
