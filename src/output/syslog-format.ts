/**
 * The datagram glibc's syslog(3) sends to /dev/log, which is what Falco's
 * syslog output produces (`::syslog(priority, "%s", msg)`, no openlog, so
 * facility LOG_USER, no pid, the program name as tag):
 *
 *   <PRI>Mmm dd HH:MM:SS TAG: MESSAGE
 *
 * PRI = facility (LOG_USER = 1 << 3) | severity (Falco's priority number);
 * the time is local, in the C locale's `%h %e %T` (day padded with a space);
 * no newline and no terminating NUL on a datagram socket.
 */
export const LOG_USER = 1 << 3;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** `%h %e %T` of a local time. */
export function syslogTime(d: Date): string {
  const day = d.getDate();
  return `${MONTHS[d.getMonth()]} ${day < 10 ? ' ' + day : day} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export function syslogMessage(severity: number, tag: string, message: string, when: Date): string {
  return `<${LOG_USER | (severity & 7)}>${syslogTime(when)} ${tag}: ${message}`;
}
