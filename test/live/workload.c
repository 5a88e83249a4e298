/*
 * Workload for the live-capture tests: performs known syscalls with known
 * arguments and prints what it did as one JSON object on stdout, so the test
 * can compare every captured event with the truth.
 *
 *   workload files DIR   file/fd syscalls inside DIR
 *   workload net         UDP, unix and IPv6 sockets on loopback
 *   workload thread      a pthread (clone3/clone with CLONE_THREAD) + execveat
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int files(const char *dir)
{
	char a[512], b[512], d[512];
	char buf[64];
	int fds[2], p2[2];
	struct iovec iov[2];
	long r;

	if (chdir(dir) < 0)
		die("chdir");
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		die("open .");

	snprintf(a, sizeof(a), "%s/creat.txt", dir);
	int cfd = creat(a, 0640);
	if (cfd < 0)
		die("creat");
	/* legacy open(2), not openat */
	int ofd = syscall(SYS_open, a, O_RDWR | O_APPEND, 0);
	if (ofd < 0)
		die("open");
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_BENEATH };
	int o2fd = syscall(SYS_openat2, dfd, "creat.txt", &how, sizeof(how));
	if (o2fd < 0)
		die("openat2");

	/* vectored and positioned I/O */
	iov[0].iov_base = "hello ";
	iov[0].iov_len = 6;
	iov[1].iov_base = "vector";
	iov[1].iov_len = 6;
	long wv = writev(cfd, iov, 2);
	long pw = pwrite(cfd, "PW", 2, 100);
	iov[0].iov_base = "ab";
	iov[0].iov_len = 2;
	iov[1].iov_base = "cd";
	iov[1].iov_len = 2;
	long pwv = pwritev(cfd, iov, 2, 200);
	memset(buf, 0, sizeof(buf));
	long pr = pread(o2fd, buf, 5, 0);
	char r1[4], r2[8];
	iov[0].iov_base = r1;
	iov[0].iov_len = sizeof(r1);
	iov[1].iov_base = r2;
	iov[1].iov_len = sizeof(r2);
	long rv = readv(o2fd, iov, 2);
	long prv = preadv(o2fd, iov, 2, 6);

	/* pipes, dups, eventfd */
	if (pipe(fds) < 0)
		die("pipe");
	if (pipe2(p2, O_CLOEXEC) < 0)
		die("pipe2");
	int dupfd = dup(fds[0]);
	int dup2fd = dup2(fds[1], 50);
	int dup3fd = dup3(fds[1], 51, O_CLOEXEC);
	int efd = eventfd(7, 0);

	/* sendfile from the file into the pipe */
	off_t off = 0;
	long sf = sendfile(fds[1], o2fd, &off, 5);

	/* directories and names */
	if (mkdir("sub", 0750) < 0)
		die("mkdir");
	if (mkdirat(dfd, "sub2", 0700) < 0)
		die("mkdirat");
	if (rename("creat.txt", "renamed.txt") < 0)
		die("rename");
	if (renameat(dfd, "renamed.txt", dfd, "renamed2.txt") < 0)
		die("renameat");
	r = syscall(SYS_renameat2, dfd, "renamed2.txt", dfd, "renamed3.txt", RENAME_NOREPLACE);
	if (r < 0)
		die("renameat2");
	if (chdir("sub") < 0)
		die("chdir sub");
	if (fchdir(dfd) < 0)
		die("fchdir");
	if (unlinkat(dfd, "sub2", AT_REMOVEDIR) < 0)
		die("unlinkat dir");
	if (rmdir("sub") < 0)
		die("rmdir");
	snprintf(d, sizeof(d), "%s/renamed3.txt", dir);
	int u = unlink(d);
	int ufail = unlink("does-not-exist");
	int uerr = errno;
	snprintf(b, sizeof(b), "%s/x", dir);

	printf("{\"dfd\":%d,\"cfd\":%d,\"ofd\":%d,\"o2fd\":%d,\"wv\":%ld,\"pw\":%ld,\"pwv\":%ld,\"pr\":%ld,\"rv\":%ld,\"prv\":%ld,"
	       "\"pipe\":[%d,%d],\"pipe2\":[%d,%d],\"dup\":%d,\"dup2\":%d,\"dup3\":%d,\"efd\":%d,\"sf\":%ld,\"unlink\":%d,\"ufail\":%d,\"uerr\":%d}\n",
	       dfd, cfd, ofd, o2fd, wv, pw, pwv, pr, rv, prv, fds[0], fds[1], p2[0], p2[1], dupfd, dup2fd, dup3fd, efd, sf, u,
	       ufail, uerr);
	return 0;
}

static int net(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, b = { .sin_family = AF_INET }, from;
	socklen_t len = sizeof(a), flen = sizeof(from);
	char buf[256];

	/* UDP: sendto/recvfrom with addresses, sendmsg/recvmsg */
	int u1 = socket(AF_INET, SOCK_DGRAM, 0);
	int u2 = socket(AF_INET, SOCK_DGRAM, 0);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &b.sin_addr);
	if (bind(u1, (struct sockaddr *)&a, sizeof(a)) < 0 || bind(u2, (struct sockaddr *)&b, sizeof(b)) < 0)
		die("bind udp");
	getsockname(u1, (struct sockaddr *)&a, &len);
	len = sizeof(b);
	getsockname(u2, (struct sockaddr *)&b, &len);
	long st = sendto(u1, "datagram-1", 10, 0, (struct sockaddr *)&b, sizeof(b));
	long rf = recvfrom(u2, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);

	struct iovec iov[2] = { { "msg-", 4 }, { "two", 3 } };
	struct msghdr mh = { .msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = iov, .msg_iovlen = 2 };
	long sm = sendmsg(u2, &mh, 0);
	char m1[3], m2[16];
	struct iovec riov[2] = { { m1, sizeof(m1) }, { m2, sizeof(m2) } };
	struct sockaddr_in rfrom;
	struct msghdr rmh = { .msg_name = &rfrom, .msg_namelen = sizeof(rfrom), .msg_iov = riov, .msg_iovlen = 2 };
	long rm = recvmsg(u1, &rmh, 0);

	/* unix stream: named listener, connect, accept, shutdown */
	char path[108];
	snprintf(path, sizeof(path), "/tmp/tsysdig-wl-%d.sock", getpid());
	unlink(path);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	strcpy(un.sun_path, path);
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(ls, (struct sockaddr *)&un, sizeof(un)) < 0 || listen(ls, 4) < 0)
		die("unix listen");
	int cs = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(cs, (struct sockaddr *)&un, sizeof(un)) < 0)
		die("unix connect");
	int as = accept(ls, NULL, NULL);
	long uw = write(cs, "unix!", 5);
	long ur = read(as, buf, sizeof(buf));
	int sh = shutdown(cs, SHUT_WR);
	unlink(path);

	/* IPv6 loopback TCP (skipped when IPv6 is off) */
	int v6ok = 0, v6port = 0, v6cport = 0;
	int l6 = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	if (l6 >= 0 && bind(l6, (struct sockaddr *)&s6, sizeof(s6)) == 0 && listen(l6, 4) == 0) {
		socklen_t l = sizeof(s6);
		getsockname(l6, (struct sockaddr *)&s6, &l);
		v6port = ntohs(s6.sin6_port);
		int c6 = socket(AF_INET6, SOCK_STREAM, 0);
		if (connect(c6, (struct sockaddr *)&s6, sizeof(s6)) == 0) {
			struct sockaddr_in6 me;
			l = sizeof(me);
			getsockname(c6, (struct sockaddr *)&me, &l);
			v6cport = ntohs(me.sin6_port);
			int a6 = accept4(l6, NULL, NULL, SOCK_CLOEXEC);
			v6ok = a6 >= 0;
		}
	}

	printf("{\"u1\":%d,\"u2\":%d,\"p1\":%d,\"p2\":%d,\"st\":%ld,\"rf\":%ld,\"sm\":%ld,\"rm\":%ld,"
	       "\"ls\":%d,\"cs\":%d,\"as\":%d,\"uw\":%ld,\"ur\":%ld,\"sh\":%d,\"path\":\"%s\",\"v6ok\":%d,\"v6port\":%d,\"v6cport\":%d}\n",
	       u1, u2, ntohs(a.sin_port), ntohs(b.sin_port), st, rf, sm, rm, ls, cs, as, uw, ur, sh, path, v6ok, v6port,
	       v6cport);
	return 0;
}

static void *thread_main(void *arg)
{
	(void)arg;
	long tid = syscall(SYS_gettid);
	return (void *)tid;
}

static int thread(const char *self)
{
	pthread_t t;
	void *tid;
	if (pthread_create(&t, NULL, thread_main, NULL) != 0)
		die("pthread_create");
	pthread_join(t, &tid);
	printf("{\"tid\":%ld}\n", (long)tid);
	fflush(stdout);
	/* execveat(AT_FDCWD, "/bin/true") */
	char *argv[] = { "true-via-execveat", "x", NULL };
	char *envp[] = { "TSYSDIG_WL=1", NULL };
	(void)self;
	syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, envp, 0);
	die("execveat");
	return 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && strcmp(argv[1], "files") == 0)
		return files(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "net") == 0)
		return net();
	if (argc >= 2 && strcmp(argv[1], "thread") == 0)
		return thread(argv[0]);
	fprintf(stderr, "usage: workload files DIR | net | thread\n");
	return 2;
}
