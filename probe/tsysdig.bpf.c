// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * tsysdig CO-RE eBPF probe.
 *
 * Emits system-call and process events in the scap event layout (see
 * tsysdig.h) into a BPF ring buffer; userspace decodes them with the same
 * ScapEvent decoder that reads .scap files.
 *
 * Attach points:
 *   tp_btf/sys_enter, tp_btf/sys_exit   every syscall (enter/exit pairs)
 *   tp_btf/sched_process_exit           procexit
 *   tp_btf/sched_process_fork           hands clone flags to the child
 * The child side of clone/fork/vfork/clone3 is the child's own sys_exit
 * (it returns 0 from the same syscall number), as in the official drivers.
 *
 * Syscalls without a dedicated event (most of the traffic) take a fast
 * path: the attached sys_enter/sys_exit programs are small, and write a
 * 16-byte compact generic record (TSD_COMPACT_LEN in tsysdig.h) straight
 * into a ring reservation; userspace expands it into the scap generic
 * event. Syscalls with a dedicated event are handed by tail call
 * (enter_tail / exit_tail) to tsd_sys_enter_full / tsd_sys_exit_full, which
 * build the event in a per-CPU scratch buffer and copy it to the ring with
 * bpf_ringbuf_output().
 * Keeping the fillers out of the attached programs keeps the fast path's
 * code compact (measured in docs/performance.md). A full ring increments a
 * per-CPU drop counter. Every event type the routes table may name has a
 * filler here; anything else falls back to the generic event.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "tsysdig.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* ---- Linux x86_64 ABI constants (not part of BTF) ------------------------ */
#define TS_COMPAT 0x0002

#define O_ACCMODE 00000003
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_NONBLOCK 00004000
#define O_DSYNC 00010000
#define O_DIRECT 00040000
#define O_LARGEFILE 00100000
#define O_DIRECTORY 00200000
#define O_CLOEXEC 02000000
#define __O_SYNC 04000000
#define __O_TMPFILE 020000000

#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_PTRACE 0x00002000
#define CLONE_VFORK 0x00004000
#define CLONE_PARENT 0x00008000
#define CLONE_THREAD 0x00010000
#define CLONE_NEWNS 0x00020000
#define CLONE_SYSVSEM 0x00040000
#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_UNTRACED 0x00800000
#define CLONE_CHILD_SETTID 0x01000000
#define CLONE_NEWCGROUP 0x02000000
#define CLONE_NEWUTS 0x04000000
#define CLONE_NEWIPC 0x08000000
#define CLONE_NEWUSER 0x10000000
#define CLONE_NEWPID 0x20000000
#define CLONE_NEWNET 0x40000000
#define CLONE_IO 0x80000000

#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#define RESOLVE_CACHED 0x20

#define AT_FDCWD -100
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_EMPTY_PATH 0x1000

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10

#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define S_IFLNK 0120000
#define S_IMMUTABLE 8 /* inode->i_flags */
#define SB_RDONLY 1

#define RLIMIT_NOFILE 7
#define PAGE_SHIFT 12

/* ---- maps ---------------------------------------------------------------- */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized by userspace before load */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tsd_settings);
} settings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TSD_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, struct tsd_route);
} routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tsd_counters);
} counters SEC(".maps");

/*
 * Per-CPU event builder. The builder state lives in the map value, not on
 * the stack: the verifier does not track map memory, so offsets read back
 * from it are plain bounded-by-mask scalars and the many paths through the
 * fillers collapse into few verifier states.
 */
struct ev {
	__u32 off;     /* where the next parameter's bytes go */
	__u32 idx;     /* next parameter index */
	__u32 nparams;
	__u32 snaplen;
	__u32 trunc;   /* a variable-size param was cut */
	__u32 acc;     /* loop accumulator (bytes gathered so far) */
	__u32 acc2;
	__u32 wflags;  /* ring wakeup flags */
	__u8 tmp[TSD_TMP_SIZE];
	__u8 buf[TSD_EVT_BUF_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ev);
} scratch_map SEC(".maps");

/*
 * Raw clone flags of in-flight clone/clone3 calls, by thread id: stored at
 * the parent's sys_enter, copied to the child's tid in sched_process_fork,
 * consumed by the exit events. (The child cannot re-read clone3's
 * clone_args reliably: it lives on the parent's stack, which may already
 * have been reused by the time the child runs.)
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u64);
} clone_flags SEC(".maps");

/*
 * Processes (by tgid) inside execveat: a successful execveat returns with
 * the syscall number of execve in orig_ax, so the exit is matched to its
 * enter here.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} execveat_tgids SEC(".maps");

/* syscall arguments (x86_64: di, si, dx, r10, r8, r9) */
struct sc_args {
	__u64 a[6];
};

/* tmp area layout */
#define TMP_SOCKADDR 0    /* 128-byte user sockaddr copy (+ NUL guard) */
#define TMP_MSGHDR 256    /* struct user_msghdr copy */
#define TMP_IOV 320       /* up to TSD_IOV_MAX struct iovec */
#define SOCKADDR_MAX 128

/* Hides v's known range from clang, then masks it: the verifier then sees a
 * bound on the very register used as a size (clang otherwise tends to test
 * a copy and pass the unbounded original). */
/* A load the compiler cannot forward from an earlier store: the verifier
 * then sees an unknown (hence state-merging) scalar. */
#define LOAD(x) (*(volatile typeof(x) *)&(x))

#define VBOUND(v, mask) ({ asm volatile("" : "+r"(v)); (v) &= (mask); (v); })

/* ---- event builder ------------------------------------------------------- */
static __always_inline struct tsd_settings *get_settings(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&settings, &zero);
}

static __always_inline struct ev *ev_begin(struct tsd_settings *s, __u16 type, __u32 nparams, __u64 tid)
{
	__u32 zero = 0;
	struct ev *e = bpf_map_lookup_elem(&scratch_map, &zero);
	if (!e)
		return NULL;
	e->idx = 0;
	e->nparams = nparams;
	e->trunc = 0;
	e->snaplen = s->snaplen;
	e->wflags = (s->flags & TSD_SET_NO_WAKEUP) ? BPF_RB_NO_WAKEUP : 0;
	if (e->snaplen > TSD_SNAPLEN_MAX)
		e->snaplen = TSD_SNAPLEN_MAX;
	e->off = TSD_HDR_LEN + nparams * 2;
	*(__u64 *)&e->buf[0] = bpf_ktime_get_boot_ns() + s->boot_to_epoch_ns;
	*(__u64 *)&e->buf[8] = tid;
	*(__u16 *)&e->buf[20] = type;
	*(__u32 *)&e->buf[22] = nparams;
	return e;
}

static __always_inline void set_len(struct ev *e, __u32 n)
{
	*(__u16 *)&e->buf[(TSD_HDR_LEN + e->idx * 2) & 0xff] = n;
	e->idx++;
	e->off += n;
}

static __always_inline __u8 *cur(struct ev *e)
{
	return &e->buf[e->off & TSD_OFF_MASK];
}

static __always_inline bool has_room(struct ev *e)
{
	if (e->off > TSD_EVT_SOFT_MAX) {
		e->trunc = 1;
		return false;
	}
	return true;
}

static __always_inline void put_u8(struct ev *e, __u8 v)
{
	*cur(e) = v;
	set_len(e, 1);
}
static __always_inline void put_u16(struct ev *e, __u16 v)
{
	*(__u16 *)cur(e) = v;
	set_len(e, 2);
}
static __always_inline void put_u32(struct ev *e, __u32 v)
{
	*(__u32 *)cur(e) = v;
	set_len(e, 4);
}
static __always_inline void put_u64(struct ev *e, __u64 v)
{
	*(__u64 *)cur(e) = v;
	set_len(e, 8);
}
/* PT_FD/PT_ERRNO/PT_PID/PT_INT64: signed 64-bit */
static __always_inline void put_s64(struct ev *e, __s64 v)
{
	put_u64(e, (__u64)v);
}
/* An fd from a syscall argument (an int, sign-extended to 64 bits). */
static __always_inline void put_fd(struct ev *e, __u64 arg)
{
	put_s64(e, (__s64)(int)arg);
}
static __always_inline void put_empty(struct ev *e)
{
	set_len(e, 0);
}
/* An empty string: a single NUL. */
static __always_inline void put_nul(struct ev *e)
{
	*cur(e) = 0;
	set_len(e, 1);
}

static __always_inline void put_user_str(struct ev *e, const void *p)
{
	long n = 0;
	if (p && has_room(e)) {
		n = bpf_probe_read_user_str(cur(e), TSD_CHUNK_MAX, p);
		if (n < 0)
			n = 0;
	}
	set_len(e, n);
}

static __always_inline void put_kernel_str(struct ev *e, const void *p, __u32 max)
{
	long n = 0;
	if (max > TSD_CHUNK_MAX)
		max = TSD_CHUNK_MAX;
	if (p && has_room(e)) {
		n = bpf_probe_read_kernel_str(cur(e), max, p);
		if (n < 0)
			n = 0;
	}
	set_len(e, n);
}

/* Copies min(len, max) bytes of user memory as one parameter. */
static __always_inline void put_user_bytes(struct ev *e, const void *p, __u64 len, __u32 max)
{
	__u32 n = 0;
	if (p && len > 0 && has_room(e)) {
		n = len > max ? max : (__u32)len;
		if (n > TSD_CHUNK_MAX)
			n = TSD_CHUNK_MAX;
		VBOUND(n, TSD_CHUNK_MAX * 2 - 1);
		if (bpf_probe_read_user(cur(e), n, p))
			n = 0;
	}
	set_len(e, n);
}

static __always_inline void submit(struct ev *e)
{
	__u32 zero = 0;
	struct tsd_counters *c = bpf_map_lookup_elem(&counters, &zero);
	__u32 len = e->off;

	if (!c)
		return;
	if (e->idx != e->nparams || len > TSD_MAX_EVT_LEN || len < TSD_HDR_LEN) {
		c->n_drops_bug++;
		return;
	}
	*(__u32 *)&e->buf[16] = len;
	*(__u16 *)&e->buf[len & TSD_OFF_MASK] = (__u16)bpf_get_smp_processor_id();
	if (e->trunc)
		c->n_truncated++;
	if (bpf_ringbuf_output(&events, e->buf, len + 2, e->wflags))
		c->n_drops_full++;
	else
		c->n_evts++;
}

/* ---- kernel object helpers ---------------------------------------------- */

static __always_inline struct file *fd_to_file(__s64 fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct files_struct *files = BPF_CORE_READ(t, files);
	struct fdtable *fdt;
	struct file **fds;
	struct file *f = NULL;
	unsigned int max;

	if (!files || fd < 0)
		return NULL;
	fdt = BPF_CORE_READ(files, fdt);
	if (!fdt)
		return NULL;
	max = BPF_CORE_READ(fdt, max_fds);
	if (fd >= max)
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (!fds)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

static __always_inline __u32 encode_dev(__u32 kdev)
{
	__u32 major = kdev >> 20;
	__u32 minor = kdev & ((1U << 20) - 1);
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
}

/* dev (scap-encoded) and inode number of an open fd. */
static __always_inline bool fd_dev_ino(__s64 fd, __u32 *dev, __u64 *ino)
{
	struct file *f = fd_to_file(fd);
	struct inode *inode;
	if (!f)
		return false;
	inode = BPF_CORE_READ(f, f_inode);
	if (!inode)
		return false;
	*dev = encode_dev(BPF_CORE_READ(inode, i_sb, s_dev));
	*ino = BPF_CORE_READ(inode, i_ino);
	return true;
}

static __always_inline struct socket *fd_to_socket(__s64 fd)
{
	struct file *f = fd_to_file(fd);
	umode_t mode;
	if (!f)
		return NULL;
	mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	return (struct socket *)BPF_CORE_READ(f, private_data);
}

static __always_inline __u16 bswap16(__u16 v)
{
	return (v >> 8) | (v << 8);
}

/* ---- flag conversions ---------------------------------------------------- */

static __always_inline __u32 open_flags_to_scap(__u64 flags)
{
	__u32 res = 0;
	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		res |= PPM_O_WRONLY;
		break;
	case O_RDWR:
		res |= PPM_O_RDWR;
		break;
	default:
		res |= PPM_O_RDONLY;
		break;
	}
	if (flags & O_CREAT)
		res |= PPM_O_CREAT;
	if ((flags & (__O_TMPFILE | O_DIRECTORY)) == (__O_TMPFILE | O_DIRECTORY))
		res |= PPM_O_TMPFILE;
	if (flags & O_APPEND)
		res |= PPM_O_APPEND;
	if (flags & O_DSYNC)
		res |= PPM_O_DSYNC;
	if (flags & O_EXCL)
		res |= PPM_O_EXCL;
	if (flags & O_NONBLOCK)
		res |= PPM_O_NONBLOCK;
	if (flags & __O_SYNC)
		res |= PPM_O_SYNC;
	if (flags & O_TRUNC)
		res |= PPM_O_TRUNC;
	if (flags & O_DIRECT)
		res |= PPM_O_DIRECT;
	if ((flags & O_DIRECTORY) && !(flags & __O_TMPFILE))
		res |= PPM_O_DIRECTORY;
	if (flags & O_LARGEFILE)
		res |= PPM_O_LARGEFILE;
	if (flags & O_CLOEXEC)
		res |= PPM_O_CLOEXEC;
	return res;
}

/* The PPM_S_* bits have the standard octal values; a mode only matters when
 * the open can create a file. */
static __always_inline __u32 open_mode_to_scap(__u64 flags, __u64 mode)
{
	if (!(flags & (O_CREAT | __O_TMPFILE)))
		return 0;
	return mode & 07777;
}

static __always_inline __u32 clone_flags_to_scap(__u64 flags)
{
	__u32 res = 0;
	if (flags & CLONE_FILES) res |= PPM_CL_CLONE_FILES;
	if (flags & CLONE_FS) res |= PPM_CL_CLONE_FS;
	if (flags & CLONE_IO) res |= PPM_CL_CLONE_IO;
	if (flags & CLONE_NEWIPC) res |= PPM_CL_CLONE_NEWIPC;
	if (flags & CLONE_NEWNET) res |= PPM_CL_CLONE_NEWNET;
	if (flags & CLONE_NEWNS) res |= PPM_CL_CLONE_NEWNS;
	if (flags & CLONE_NEWPID) res |= PPM_CL_CLONE_NEWPID;
	if (flags & CLONE_NEWUTS) res |= PPM_CL_CLONE_NEWUTS;
	if (flags & CLONE_PARENT_SETTID) res |= PPM_CL_CLONE_PARENT_SETTID;
	if (flags & CLONE_PARENT) res |= PPM_CL_CLONE_PARENT;
	if (flags & CLONE_PTRACE) res |= PPM_CL_CLONE_PTRACE;
	if (flags & CLONE_SIGHAND) res |= PPM_CL_CLONE_SIGHAND;
	if (flags & CLONE_SYSVSEM) res |= PPM_CL_CLONE_SYSVSEM;
	if (flags & CLONE_THREAD) res |= PPM_CL_CLONE_THREAD;
	if (flags & CLONE_UNTRACED) res |= PPM_CL_CLONE_UNTRACED;
	if (flags & CLONE_VM) res |= PPM_CL_CLONE_VM;
	if (flags & CLONE_NEWUSER) res |= PPM_CL_CLONE_NEWUSER;
	if (flags & CLONE_CHILD_CLEARTID) res |= PPM_CL_CLONE_CHILD_CLEARTID;
	if (flags & CLONE_CHILD_SETTID) res |= PPM_CL_CLONE_CHILD_SETTID;
	if (flags & CLONE_SETTLS) res |= PPM_CL_CLONE_SETTLS;
	if (flags & CLONE_VFORK) res |= PPM_CL_CLONE_VFORK;
	if (flags & CLONE_NEWCGROUP) res |= PPM_CL_CLONE_NEWCGROUP;
	return res;
}

static __always_inline __u32 resolve_to_scap(__u64 r)
{
	__u32 res = 0;
	if (r & RESOLVE_NO_XDEV) res |= PPM_RESOLVE_NO_XDEV;
	if (r & RESOLVE_NO_MAGICLINKS) res |= PPM_RESOLVE_NO_MAGICLINKS;
	if (r & RESOLVE_NO_SYMLINKS) res |= PPM_RESOLVE_NO_SYMLINKS;
	if (r & RESOLVE_BENEATH) res |= PPM_RESOLVE_BENEATH;
	if (r & RESOLVE_IN_ROOT) res |= PPM_RESOLVE_IN_ROOT;
	if (r & RESOLVE_CACHED) res |= PPM_RESOLVE_CACHED;
	return res;
}

static __always_inline __s64 dirfd_to_scap(__u64 arg)
{
	int fd = (int)arg;
	return fd == AT_FDCWD ? PPM_AT_FDCWD : fd;
}

/* ---- socket helpers ------------------------------------------------------ */

/* Copies a user sockaddr into tmp; returns its family, or -1. */
static __always_inline int copy_user_sockaddr(struct ev *e, const void *uaddr, __s64 ulen)
{
	__u8 *dst = &e->tmp[TMP_SOCKADDR];
	__u32 n;
	if (!uaddr || ulen <= 0)
		return -1;
	n = ulen > SOCKADDR_MAX ? SOCKADDR_MAX : (__u32)ulen;
	if (n < 2)
		return -1;
	VBOUND(n, SOCKADDR_MAX * 2 - 1);
	if (bpf_probe_read_user(dst, n, uaddr))
		return -1;
	dst[n & (SOCKADDR_MAX * 2 - 1)] = 0; /* terminates unix paths */
	return *(__u16 *)dst;
}

/* Writes a unix socket path (string) at dst, '@' for abstract names.
 * Returns bytes written including the NUL. */
static __always_inline __u32 write_unix_path(__u8 *dst, const char *path)
{
	char first = 0;
	long n;
	bpf_probe_read_kernel(&first, 1, path);
	if (first == 0) {
		/* abstract, or no name */
		char second = 0;
		bpf_probe_read_kernel(&second, 1, path + 1);
		if (second == 0) {
			dst[0] = 0;
			return 1;
		}
		dst[0] = '@';
		n = bpf_probe_read_kernel_str(dst + 1, 108, path + 1);
		return n > 0 ? n + 1 : 1;
	}
	n = bpf_probe_read_kernel_str(dst, 109, path);
	return n > 0 ? n : 1;
}

/* PT_SOCKADDR from the sockaddr copied in tmp (family fam). Returns size. */
static __always_inline __u32 write_sockaddr(struct ev *e, int fam)
{
	__u8 *src = &e->tmp[TMP_SOCKADDR];
	__u8 *dst = cur(e);
	switch (fam) {
	case AF_INET: {
		struct sockaddr_in *sin = (struct sockaddr_in *)src;
		dst[0] = AF_INET;
		*(__u32 *)&dst[1] = sin->sin_addr.s_addr;
		*(__u16 *)&dst[5] = bswap16(sin->sin_port);
		return 7;
	}
	case AF_INET6: {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)src;
		dst[0] = AF_INET6;
		__builtin_memcpy(&dst[1], &sin6->sin6_addr, 16);
		*(__u16 *)&dst[17] = bswap16(sin6->sin6_port);
		return 19;
	}
	case AF_UNIX:
		dst[0] = AF_UNIX;
		return 1 + write_unix_path(dst + 1, (const char *)src + 2);
	}
	return 0;
}

/*
 * PT_SOCKTUPLE for socket fd. The remote end comes from the user sockaddr
 * in tmp when use_user is set (connect, sendto, ...), from the socket
 * otherwise. inbound: source = remote end (accept, recvfrom); else source =
 * local end. Returns the size written at cur(e) (0: no tuple).
 */
__noinline int write_socktuple(struct ev *e, __s64 fd, int use_user, int inbound)
{
	struct socket *sock;
	struct sock *sk;
	__u8 *dst;
	__u8 *usr;
	__u16 fam;

	if (!e)
		return 0;
	sock = fd_to_socket(fd);
	dst = cur(e);
	usr = &e->tmp[TMP_SOCKADDR];
	if (!sock)
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return 0;
	fam = BPF_CORE_READ(sk, __sk_common.skc_family);

	if (fam == AF_INET) {
		__u32 lip = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		__u32 rip;
		__u16 rport;
		if (!lip)
			lip = BPF_CORE_READ((struct inet_sock *)sk, inet_saddr);
		if (use_user) {
			struct sockaddr_in *sin = (struct sockaddr_in *)usr;
			rip = sin->sin_addr.s_addr;
			rport = bswap16(sin->sin_port);
		} else {
			rip = BPF_CORE_READ(sk, __sk_common.skc_daddr);
			rport = bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
		}
		dst[0] = AF_INET;
		if (inbound) {
			*(__u32 *)&dst[1] = rip;
			*(__u16 *)&dst[5] = rport;
			*(__u32 *)&dst[7] = lip;
			*(__u16 *)&dst[11] = lport;
		} else {
			*(__u32 *)&dst[1] = lip;
			*(__u16 *)&dst[5] = lport;
			*(__u32 *)&dst[7] = rip;
			*(__u16 *)&dst[11] = rport;
		}
		return 13;
	}
	if (fam == AF_INET6) {
		__u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		__u16 rport;
		__u8 *l = inbound ? &dst[19] : &dst[1];
		__u8 *r = inbound ? &dst[1] : &dst[19];
		bpf_probe_read_kernel(l, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		if (use_user) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)usr;
			__builtin_memcpy(r, &sin6->sin6_addr, 16);
			rport = bswap16(sin6->sin6_port);
		} else {
			bpf_probe_read_kernel(r, 16, &sk->__sk_common.skc_v6_daddr);
			rport = bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
		}
		dst[0] = AF_INET6;
		*(__u16 *)&dst[inbound ? 35 : 17] = lport;
		*(__u16 *)&dst[inbound ? 17 : 35] = rport;
		return 37;
	}
	if (fam == AF_UNIX) {
		struct unix_sock *us = (struct unix_sock *)sk;
		__u64 self = (__u64)us;
		__u64 peer = (__u64)BPF_CORE_READ(us, peer);
		struct unix_address *ua;
		dst[0] = AF_UNIX;
		*(__u64 *)&dst[1] = inbound ? self : peer;
		*(__u64 *)&dst[9] = inbound ? peer : self;
		if (use_user && !inbound)
			return 17 + write_unix_path(&dst[17], (const char *)usr + 2);
		/* the name bound to this end (inbound) or to the peer (outbound) */
		if (!inbound) {
			struct sock *p = (struct sock *)peer;
			ua = p ? BPF_CORE_READ((struct unix_sock *)p, addr) : NULL;
		} else {
			ua = BPF_CORE_READ(us, addr);
		}
		if (ua) {
			int alen = BPF_CORE_READ(ua, len);
			if (alen > 2)
				return 17 + write_unix_path(&dst[17], (const char *)&ua->name[0].sun_path[0]);
		}
		dst[17] = 0;
		return 18;
	}
	return 0;
}

/* ---- task helpers ------------------------------------------------------- */

static __always_inline struct task_struct *cur_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

/* nr of `pid` as seen from pid namespace level `level` (0 if not visible). */
static __always_inline __s64 pid_nr_at(struct pid *pid, unsigned int level)
{
	unsigned int plevel;
	if (!pid)
		return 0;
	plevel = BPF_CORE_READ(pid, level);
	if (level > plevel || level > 32)
		return 0;
	return BPF_CORE_READ(pid, numbers[level].nr);
}

static __always_inline unsigned int task_ns_level(struct task_struct *t)
{
	return BPF_CORE_READ(t, thread_pid, level);
}

/* pre-6.2 kernels: struct mm_rss_stat with atomic counters */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

static __always_inline __s64 mm_counter(struct mm_struct *mm, int member)
{
	struct mm_struct___old *old = (void *)mm;
	__s64 v;
	if (bpf_core_field_exists(old->rss_stat.count))
		v = BPF_CORE_READ(old, rss_stat.count[member].counter);
	else
		v = BPF_CORE_READ(mm, rss_stat[member].count);
	return v < 0 ? 0 : v;
}

/* pre-6.15 kernels: kernfs_node.parent (now __parent) */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* ---- fillers: the common exit parameters of clone/execve ----------------- */

/* args area of the current mm: exe (argv[0]) then the other args. */
static __always_inline void put_exe_args_from_mm(struct ev *e, struct mm_struct *mm)
{
	__u64 start = BPF_CORE_READ(mm, arg_start);
	__u64 end = BPF_CORE_READ(mm, arg_end);
	__u32 len = 0;
	long exe_len = 0;

	if (mm && end > start && has_room(e)) {
		len = end - start > TSD_ARGS_MAX ? TSD_ARGS_MAX : end - start;
		VBOUND(len, TSD_CHUNK_MAX * 2 - 1);
		if (bpf_probe_read_user(cur(e), len, (void *)start) == 0) {
			cur(e)[(len - 1) & (TSD_CHUNK_MAX - 1)] = 0;
			/* length of argv[0], copying the string onto itself */
			exe_len = bpf_probe_read_kernel_str(cur(e), len, cur(e));
			if (exe_len <= 0 || exe_len > len)
				exe_len = len;
		} else {
			len = 0;
		}
	}
	if (len == 0) {
		put_nul(e);   /* exe */
		put_empty(e); /* args */
		return;
	}
	set_len(e, exe_len);
	set_len(e, len - exe_len);
}

/* A NUL-separated list from a user array of string pointers (argv/envp). */
__noinline int put_user_strv(struct ev *e, __u64 uvec)
{
	const char *const *vec = (const char *const *)uvec;
	__u32 total;
	if (!e)
		return 0;
	e->acc = 0;
	if (!vec || !has_room(e)) {
		set_len(e, 0);
		return 0;
	}
	for (int i = 0; i < TSD_ARGV_ITEMS_MAX; i++) {
		const char *p = NULL;
		__u32 room;
		long n;
		total = LOAD(e->acc);
		if (bpf_probe_read_user(&p, sizeof(p), &vec[i]) || !p)
			break;
		if (total >= TSD_ARGS_MAX - 1)
			break;
		room = TSD_ARGS_MAX - total;
		VBOUND(room, TSD_CHUNK_MAX * 2 - 1);
		n = bpf_probe_read_user_str(&e->buf[(e->off + total) & TSD_OFF_MASK], room, p);
		if (n <= 0)
			break;
		e->acc = total + n;
	}
	total = LOAD(e->acc);
	if (total > TSD_ARGS_MAX)
		total = TSD_ARGS_MAX;
	set_len(e, total);
	return total;
}

/* Appends one byte at relative position e->acc of the parameter being built. */
static __always_inline void acc_putc(struct ev *e, char c)
{
	__u32 a = LOAD(e->acc);
	e->buf[(e->off + a) & TSD_OFF_MASK] = c;
	e->acc = a + 1;
}

/* Appends a kernel string (without its NUL) at e->acc. */
static __always_inline void acc_puts(struct ev *e, const char *p, __u32 max)
{
	__u32 a = LOAD(e->acc);
	long n = bpf_probe_read_kernel_str(&e->buf[(e->off + a) & TSD_OFF_MASK], max, p);
	if (n > 1)
		e->acc = a + n - 1;
}

static __always_inline int cgroup_id(int i)
{
	switch (i) {
	case 0:
		return bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuset_cgrp_id) ?
			       bpf_core_enum_value(enum cgroup_subsys_id, cpuset_cgrp_id) : -1;
	case 1:
		return bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id) ?
			       bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id) : -1;
	case 2:
		return bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuacct_cgrp_id) ?
			       bpf_core_enum_value(enum cgroup_subsys_id, cpuacct_cgrp_id) : -1;
	case 3:
		return bpf_core_enum_value_exists(enum cgroup_subsys_id, io_cgrp_id) ?
			       bpf_core_enum_value(enum cgroup_subsys_id, io_cgrp_id) : -1;
	case 4:
		return bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id) ?
			       bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id) : -1;
	}
	return -1;
}

/*
 * cgroups: "subsys=/path" strings, NUL-separated, for cpuset, cpu, cpuacct,
 * io and memory (on cgroup v2 they all name the unified hierarchy path).
 */
__noinline int put_cgroups(struct ev *e)
{
	struct css_set *cs = BPF_CORE_READ(cur_task(), cgroups);

	if (!e)
		return 0;
	e->acc = 0;
	if (!cs || !has_room(e)) {
		set_len(e, 0);
		return 0;
	}
	for (int s = 0; s < 5; s++) {
		int id = cgroup_id(s);
		struct cgroup_subsys_state *css;
		struct kernfs_node *kn;
		const char *names[TSD_CGROUP_DEPTH] = {};
		int depth = 0;

		if (id < 0 || id >= 16)
			continue;
		if (LOAD(e->acc) > 2048)
			break;
		css = BPF_CORE_READ(cs, subsys[id]);
		if (!css)
			continue;
		acc_puts(e, BPF_CORE_READ(css, ss, name), 32);
		acc_putc(e, '=');
		kn = BPF_CORE_READ(css, cgroup, kn);
		/* collect names from the leaf up, excluding the hierarchy root */
		for (int k = 0; k < TSD_CGROUP_DEPTH; k++) {
			struct kernfs_node *parent;
			if (!kn)
				break;
			parent = kn_parent(kn);
			if (!parent)
				break;
			names[k] = BPF_CORE_READ(kn, name);
			depth = k + 1;
			kn = parent;
		}
		if (depth == 0)
			acc_putc(e, '/');
		for (int k = TSD_CGROUP_DEPTH - 1; k >= 0; k--) {
			if (k >= depth)
				continue;
			acc_putc(e, '/');
			acc_puts(e, names[k], TSD_CGROUP_NAME_MAX);
		}
		acc_putc(e, 0);
	}
	set_len(e, LOAD(e->acc));
	return 0;
}

static __always_inline int tty_nr(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	int index, major, minor_start;
	__u32 dev, mj, mn;
	if (!tty)
		return 0;
	index = BPF_CORE_READ(tty, index);
	major = BPF_CORE_READ(tty, driver, major);
	minor_start = BPF_CORE_READ(tty, driver, minor_start);
	dev = ((__u32)major << 20) | (__u32)(minor_start + index);
	mj = dev >> 20;
	mn = dev & 0xfffff;
	return (mn & 0xff) | (mj << 8) | ((mn & ~0xffU) << 12);
}

/* Approximates inode_permission(MAY_WRITE) on the current executable for the
 * task's fsuid/fsgid (supplementary groups and ACLs are not considered). */
static __always_inline bool exe_writable(struct task_struct *t)
{
	struct file *exe = BPF_CORE_READ(t, mm, exe_file);
	struct inode *inode;
	umode_t mode;
	__u32 uid, gid, fsuid, fsgid;
	if (!exe)
		return false;
	inode = BPF_CORE_READ(exe, f_inode);
	if (!inode)
		return false;
	mode = BPF_CORE_READ(inode, i_mode);
	if ((BPF_CORE_READ(inode, i_sb, s_flags) & SB_RDONLY) &&
	    ((mode & S_IFMT) == S_IFREG || (mode & S_IFMT) == S_IFDIR || (mode & S_IFMT) == S_IFLNK))
		return false;
	if (BPF_CORE_READ(inode, i_flags) & S_IMMUTABLE)
		return false;
	fsuid = BPF_CORE_READ(t, cred, fsuid.val);
	fsgid = BPF_CORE_READ(t, cred, fsgid.val);
	uid = BPF_CORE_READ(inode, i_uid.val);
	gid = BPF_CORE_READ(inode, i_gid.val);
	if (fsuid == 0)
		return true;
	if (fsuid == uid)
		return mode & 0200;
	if (fsgid == gid)
		return mode & 0020;
	return mode & 0002;
}

/* inode timestamps before 6.11 (i_ctime_sec/i_mtime_sec): 6.6-6.10 renamed i_ctime to __i_ctime. */
struct inode___v66 {
	struct timespec64 __i_ctime;
	struct timespec64 i_mtime;
} __attribute__((preserve_access_index));
struct inode___old {
	struct timespec64 i_ctime;
	struct timespec64 i_mtime;
} __attribute__((preserve_access_index));

/* Multigrain timestamps (6.13+) keep a flag (I_CTIME_QUERIED) in bit 31 of
 * i_ctime_nsec: nanoseconds are below 2^30, so the bit is masked off. */
static __always_inline __u64 ts_ns(__s64 sec, __u64 nsec)
{
	return (__u64)sec * 1000000000ULL + (nsec & 0x7fffffffULL);
}

/*
 * The libs execve layout's parameters 20-25: cap_inheritable cap_permitted
 * cap_effective (kernel capability bit masks, the bits scap uses) and
 * exe_ino exe_ino_ctime exe_ino_mtime of the executable's inode.
 */
static __always_inline void put_caps_and_exe_ino(struct ev *e, struct task_struct *t, struct file *exe)
{
	const struct cred *cred = BPF_CORE_READ(t, cred);
	struct inode *inode = exe ? BPF_CORE_READ(exe, f_inode) : NULL;
	__u64 caps[3] = {0, 0, 0};
	__u64 ino = 0, ctime = 0, mtime = 0;

	/* kernel_cap_t is 64 bits in every layout (u32[2] before 6.3, u64 after) */
	if (cred) {
		bpf_probe_read_kernel(&caps[0], 8, &cred->cap_inheritable);
		bpf_probe_read_kernel(&caps[1], 8, &cred->cap_permitted);
		bpf_probe_read_kernel(&caps[2], 8, &cred->cap_effective);
	}
	if (inode) {
		ino = BPF_CORE_READ(inode, i_ino);
		if (bpf_core_field_exists(inode->i_ctime_sec)) {
			ctime = ts_ns(BPF_CORE_READ(inode, i_ctime_sec), BPF_CORE_READ(inode, i_ctime_nsec));
			mtime = ts_ns(BPF_CORE_READ(inode, i_mtime_sec), BPF_CORE_READ(inode, i_mtime_nsec));
		} else if (bpf_core_field_exists(((struct inode___v66 *)inode)->__i_ctime)) {
			struct inode___v66 *i66 = (void *)inode;
			ctime = ts_ns(BPF_CORE_READ(i66, __i_ctime.tv_sec), BPF_CORE_READ(i66, __i_ctime.tv_nsec));
			mtime = ts_ns(BPF_CORE_READ(i66, i_mtime.tv_sec), BPF_CORE_READ(i66, i_mtime.tv_nsec));
		} else {
			struct inode___old *io = (void *)inode;
			ctime = ts_ns(BPF_CORE_READ(io, i_ctime.tv_sec), BPF_CORE_READ(io, i_ctime.tv_nsec));
			mtime = ts_ns(BPF_CORE_READ(io, i_mtime.tv_sec), BPF_CORE_READ(io, i_mtime.tv_nsec));
		}
	}
	put_u64(e, caps[0]);
	put_u64(e, caps[1]);
	put_u64(e, caps[2]);
	put_u64(e, ino);
	put_u64(e, ctime);
	put_u64(e, mtime);
}

/* An executable run from a memfd (its dentry is its own parent and named "memfd:..."), as the libs drivers test it. */
static __always_inline bool exe_from_memfd(struct file *exe)
{
	struct dentry *d = exe ? BPF_CORE_READ(exe, f_path.dentry) : NULL;
	char name[7] = {};

	if (!d || BPF_CORE_READ(d, d_parent) != d)
		return false;
	if (bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(d, d_name.name)) < 6)
		return false;
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' && name[5] == ':';
}

/*
 * Exit event of execve/execveat/clone/fork/vfork/clone3: res exe args tid
 * pid ptid cwd fdlimit pgft_maj pgft_min vm_size vm_rss vm_swap comm
 * cgroups then, for clone (20 parameters): flags uid gid vtid vpid,
 * for execve (26): env tty pgid loginuid flags cap_inheritable
 * cap_permitted cap_effective exe_ino exe_ino_ctime exe_ino_mtime.
 */
__noinline int fill_proc_exit(struct ev *e, struct sc_args *args, long ret, int type)
{
	struct task_struct *t = cur_task();
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	bool is_exec = type == PPME_SYSCALL_EXECVE_19_X || type == PPME_SYSCALL_EXECVEAT_X;
	__u64 total_vm = 0, rss = 0, swap = 0;
	const __u64 *a;

	if (!e || !args)
		return 0;
	a = args->a;

	put_s64(e, ret);
	/* exe, args */
	if (ret >= 0 || !is_exec) {
		put_exe_args_from_mm(e, mm);
	} else {
		/* failed exec: the old image is still current; use the argv
		 * that was passed to the call instead */
		__u64 argv = type == PPME_SYSCALL_EXECVE_19_X ? a[1] : a[2];
		__u32 total;
		e->acc2 = e->off;
		total = put_user_strv(e, argv);
		/* split argv[0] out as exe */
		if (total > 0) {
			__u32 tl = total;
			long exe_len;
			VBOUND(tl, TSD_CHUNK_MAX * 2 - 1);
			exe_len = bpf_probe_read_kernel_str(&e->buf[e->acc2 & TSD_OFF_MASK], tl, &e->buf[e->acc2 & TSD_OFF_MASK]);
			if (exe_len <= 0 || exe_len > total)
				exe_len = total;
			/* rewrite: param idx-1 was the whole list; make it exe + args */
			e->idx--;
			e->off = e->acc2;
			set_len(e, exe_len);
			set_len(e, total - exe_len);
		} else {
			/* put_user_strv wrote one empty param: that is exe; add args */
			e->idx--;
			put_nul(e);
			put_empty(e);
		}
	}
	put_s64(e, BPF_CORE_READ(t, pid));
	put_s64(e, BPF_CORE_READ(t, tgid));
	put_s64(e, BPF_CORE_READ(t, real_parent, pid));
	put_nul(e); /* cwd: not collected (empty, as the reference drivers do) */
	put_u64(e, BPF_CORE_READ(t, signal, rlim[RLIMIT_NOFILE].rlim_cur));
	put_u64(e, BPF_CORE_READ(t, maj_flt));
	put_u64(e, BPF_CORE_READ(t, min_flt));
	if (mm) {
		total_vm = BPF_CORE_READ(mm, total_vm) << (PAGE_SHIFT - 10);
		rss = (mm_counter(mm, MM_FILEPAGES) + mm_counter(mm, MM_ANONPAGES) + mm_counter(mm, MM_SHMEMPAGES))
		      << (PAGE_SHIFT - 10);
		swap = mm_counter(mm, MM_SWAPENTS) << (PAGE_SHIFT - 10);
	}
	put_u32(e, total_vm);
	put_u32(e, rss);
	put_u32(e, swap);
	put_kernel_str(e, &t->comm[0], 16);
	put_cgroups(e);

	if (is_exec) {
		/* env */
		if (ret >= 0 && mm) {
			__u64 s = BPF_CORE_READ(mm, env_start), en = BPF_CORE_READ(mm, env_end);
			__u32 len = 0;
			if (en > s && has_room(e)) {
				len = en - s > TSD_ARGS_MAX ? TSD_ARGS_MAX : en - s;
				VBOUND(len, TSD_CHUNK_MAX * 2 - 1);
				if (bpf_probe_read_user(cur(e), len, (void *)s) == 0)
					cur(e)[(len - 1) & (TSD_CHUNK_MAX - 1)] = 0;
				else
					len = 0;
			}
			set_len(e, len);
		} else {
			put_user_strv(e, type == PPME_SYSCALL_EXECVE_19_X ? a[2] : a[3]);
		}
		put_u32(e, tty_nr(t));
		{
			unsigned int lvl = task_ns_level(t);
			struct pid *pg = BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID]);
			put_s64(e, pid_nr_at(pg, lvl));
		}
		if (bpf_core_field_exists(t->loginuid))
			put_u32(e, BPF_CORE_READ(t, loginuid.val));
		else
			put_u32(e, (__u32)-1);
		{
			struct file *exe = BPF_CORE_READ(t, mm, exe_file);
			__u32 xflags = exe_writable(t) ? PPM_EXE_WRITABLE : 0;
			if (exe_from_memfd(exe))
				xflags |= PPM_EXE_FROM_MEMFD;
			put_u32(e, xflags);
			put_caps_and_exe_ino(e, t, exe);
		}
	} else {
		__u64 raw = 0;
		__u32 flags;
		struct pid *tp = BPF_CORE_READ(t, thread_pid);
		unsigned int lvl = BPF_CORE_READ(tp, level);
		struct pid_namespace *ns = BPF_CORE_READ(tp, numbers[lvl & 31].ns);

		if (type == PPME_SYSCALL_CLONE_20_X || type == PPME_SYSCALL_CLONE3_X) {
			__u32 tid = bpf_get_current_pid_tgid();
			__u64 *pending = bpf_map_lookup_elem(&clone_flags, &tid);
			if (pending) {
				raw = *pending;
				bpf_map_delete_elem(&clone_flags, &tid);
			} else if (type == PPME_SYSCALL_CLONE_20_X) {
				raw = a[0];
			} else if (bpf_probe_read_user(&raw, sizeof(raw), (void *)a[0])) {
				/* struct clone_args starts with u64 flags */
				raw = 0;
			}
		}
		flags = clone_flags_to_scap(raw);
		if (lvl != 0 || BPF_CORE_READ(t, nsproxy, pid_ns_for_children) != ns)
			flags |= PPM_CL_CHILD_IN_PIDNS;
		put_u32(e, flags);
		put_u32(e, BPF_CORE_READ(t, cred, euid.val));
		put_u32(e, BPF_CORE_READ(t, cred, egid.val));
		put_s64(e, pid_nr_at(tp, lvl));
		put_s64(e, pid_nr_at(BPF_CORE_READ(t, group_leader, thread_pid), lvl));
	}
	return 0;
}

/* ---- fillers: I/O ------------------------------------------------------- */

/* Reads the iovec array into tmp; returns the number of entries (<= TSD_IOV_MAX). */
static __always_inline __u32 load_iovs(struct ev *e, const void *uiov, __u64 cnt, __u64 *total)
{
	struct iovec *iov = (struct iovec *)&e->tmp[TMP_IOV];
	__u64 sum = 0;
	__u32 n = cnt > TSD_IOV_MAX ? TSD_IOV_MAX : cnt;
	*total = 0;
	__u32 sz;
	if (!uiov || n == 0)
		return 0;
	sz = n * sizeof(struct iovec);
	VBOUND(sz, 1023);
	if (bpf_probe_read_user(iov, sz, uiov))
		return 0;
	for (int i = 0; i < TSD_IOV_MAX; i++) {
		if (i >= n)
			break;
		sum += iov[i].iov_len;
	}
	*total = sum;
	return n;
}

/* Gathers up to min(limit, snaplen) bytes from the loaded iovecs as `data`. */
__noinline int put_iov_data(struct ev *e, __u32 n, __u64 limit)
{
	struct iovec *iov;
	__u32 want;

	if (!e)
		return 0;
	iov = (struct iovec *)&e->tmp[TMP_IOV];
	want = limit > e->snaplen ? e->snaplen : (__u32)limit;
	e->acc = 0;
	if (!has_room(e)) {
		set_len(e, 0);
		return 0;
	}
	for (int i = 0; i < TSD_IOV_MAX; i++) {
		__u32 got = LOAD(e->acc);
		__u32 chunk;
		__u64 l;
		if (i >= n || got >= want)
			break;
		l = iov[i].iov_len;
		chunk = want - got;
		if (l < chunk)
			chunk = l;
		if (chunk > TSD_CHUNK_MAX)
			chunk = TSD_CHUNK_MAX;
		VBOUND(chunk, TSD_CHUNK_MAX * 2 - 1);
		if (bpf_probe_read_user(&e->buf[(e->off + got) & TSD_OFF_MASK], chunk, iov[i].iov_base))
			break;
		e->acc = got + chunk;
	}
	set_len(e, LOAD(e->acc));
	return 0;
}

/* enter_nparams/exit_nparams of an event id the probe has no filler for */
#define TSD_NO_FILLER 0xffffffff

/* ---- enter dispatch ----------------------------------------------------- */

static __noinline void fill_enter(struct ev *e, __u16 type, struct sc_args *args, __u32 nr, __u16 ppm_sc)
{
	const __u64 *a = args->a;

	switch (type) {
	case PPME_SYSCALL_OPEN_E:
		put_user_str(e, (void *)a[0]);
		put_u32(e, open_flags_to_scap(a[1]));
		put_u32(e, open_mode_to_scap(a[1], a[2]));
		break;
	case PPME_SYSCALL_OPENAT_2_E:
		put_s64(e, dirfd_to_scap(a[0]));
		put_user_str(e, (void *)a[1]);
		put_u32(e, open_flags_to_scap(a[2]));
		put_u32(e, open_mode_to_scap(a[2], a[3]));
		break;
	case PPME_SYSCALL_OPENAT2_E: {
		struct open_how how = {};
		bpf_probe_read_user(&how, sizeof(how), (void *)a[2]);
		put_s64(e, dirfd_to_scap(a[0]));
		put_user_str(e, (void *)a[1]);
		put_u32(e, open_flags_to_scap(how.flags));
		put_u32(e, open_mode_to_scap(how.flags, how.mode));
		put_u32(e, resolve_to_scap(how.resolve));
		break;
	}
	case PPME_SYSCALL_CREAT_E:
		put_user_str(e, (void *)a[0]);
		put_u32(e, open_mode_to_scap(O_CREAT, a[1]));
		break;
	case PPME_SYSCALL_CLOSE_E:
	case PPME_SOCKET_BIND_E:
	case PPME_SYSCALL_FCHDIR_E:
	case PPME_SYSCALL_READV_E:
	case PPME_SOCKET_RECVMSG_E:
	case PPME_SYSCALL_DUP_E:
		put_fd(e, a[0]);
		break;
	case PPME_SYSCALL_READ_E:
	case PPME_SYSCALL_WRITE_E:
	case PPME_SOCKET_RECVFROM_E:
		put_fd(e, a[0]);
		put_u32(e, a[2]);
		break;
	case PPME_SYSCALL_PREAD_E:
	case PPME_SYSCALL_PWRITE_E:
		put_fd(e, a[0]);
		put_u32(e, a[2]);
		put_u64(e, a[3]);
		break;
	case PPME_SYSCALL_PREADV_E:
		put_fd(e, a[0]);
		put_u64(e, a[3]);
		break;
	case PPME_SYSCALL_WRITEV_E:
	case PPME_SYSCALL_PWRITEV_E: {
		__u64 total;
		put_fd(e, a[0]);
		load_iovs(e, (void *)a[1], a[2], &total);
		put_u32(e, total);
		if (type == PPME_SYSCALL_PWRITEV_E)
			put_u64(e, a[3]);
		break;
	}
	case PPME_SYSCALL_SENDFILE_E: {
		__u64 off = 0;
		put_fd(e, a[0]);
		put_fd(e, a[1]);
		if (a[2])
			bpf_probe_read_user(&off, sizeof(off), (void *)a[2]);
		put_u64(e, off);
		put_u64(e, a[3]);
		break;
	}
	case PPME_SOCKET_SOCKET_E:
		put_u32(e, a[0]);
		put_u32(e, a[1]);
		put_u32(e, a[2]);
		break;
	case PPME_SOCKET_CONNECT_E: {
		int fam;
		put_fd(e, a[0]);
		fam = copy_user_sockaddr(e, (void *)a[1], (__s64)(int)a[2]);
		set_len(e, fam > 0 ? write_sockaddr(e, fam) : 0);
		break;
	}
	case PPME_SOCKET_LISTEN_E:
		put_fd(e, a[0]);
		put_u32(e, a[1]);
		break;
	case PPME_SOCKET_ACCEPT4_5_E:
		put_u32(e, 0); /* flags: not collected, as the reference drivers */
		break;
	case PPME_SOCKET_SENDTO_E: {
		int fam;
		put_fd(e, a[0]);
		put_u32(e, a[2]);
		fam = copy_user_sockaddr(e, (void *)a[4], (__s64)(int)a[5]);
		set_len(e, fam > 0 ? write_socktuple(e, (int)a[0], true, false) : 0);
		break;
	}
	case PPME_SOCKET_SENDMSG_E: {
		struct user_msghdr *mh = (struct user_msghdr *)&e->tmp[TMP_MSGHDR];
		__u64 total = 0;
		int fam = -1;
		put_fd(e, a[0]);
		if (bpf_probe_read_user(mh, sizeof(*mh), (void *)a[1]) == 0) {
			load_iovs(e, mh->msg_iov, mh->msg_iovlen, &total);
			fam = copy_user_sockaddr(e, mh->msg_name, mh->msg_namelen);
		}
		put_u32(e, total);
		set_len(e, fam > 0 ? write_socktuple(e, (int)a[0], true, false) : 0);
		break;
	}
	case PPME_SOCKET_SHUTDOWN_E:
		put_fd(e, a[0]);
		put_u8(e, a[1]);
		break;
	case PPME_SYSCALL_EVENTFD_E:
		put_u64(e, a[0]);
		put_u32(e, 0); /* flags: not collected, as the reference drivers */
		break;
	case PPME_SYSCALL_MKDIR_2_E:
		put_u32(e, a[1]);
		break;
	case PPME_SYSCALL_EXECVE_19_E:
		put_user_str(e, (void *)a[0]);
		break;
	case PPME_SYSCALL_EXECVEAT_E: {
		__u32 f = 0;
		put_s64(e, dirfd_to_scap(a[0]));
		put_user_str(e, (void *)a[1]);
		if (a[4] & AT_EMPTY_PATH)
			f |= PPM_EXVAT_AT_EMPTY_PATH;
		if (a[4] & AT_SYMLINK_NOFOLLOW)
			f |= PPM_EXVAT_AT_SYMLINK_NOFOLLOW;
		put_u32(e, f);
		break;
	}
	case PPME_SOCKET_ACCEPT_5_E:
	case PPME_SOCKET_PIPE_E:
	case PPME_SYSCALL_CHDIR_E:
	case PPME_SYSCALL_RMDIR_2_E:
	case PPME_SYSCALL_UNLINK_2_E:
	case PPME_SYSCALL_UNLINKAT_2_E:
	case PPME_SYSCALL_MKDIRAT_E:
	case PPME_SYSCALL_RENAME_E:
	case PPME_SYSCALL_RENAMEAT_E:
	case PPME_SYSCALL_RENAMEAT2_E:
	case PPME_SYSCALL_CLONE_20_E:
	case PPME_SYSCALL_FORK_20_E:
	case PPME_SYSCALL_VFORK_20_E:
	case PPME_SYSCALL_CLONE3_E:
		break;
	default:
		put_u16(e, ppm_sc);
		put_u16(e, nr);
		break;
	}
}

static __always_inline __u32 enter_nparams(__u16 type)
{
	switch (type) {
	case PPME_SYSCALL_OPEN_E: return 3;
	case PPME_SYSCALL_OPENAT_2_E: return 4;
	case PPME_SYSCALL_OPENAT2_E: return 5;
	case PPME_SYSCALL_CREAT_E: return 2;
	case PPME_SYSCALL_CLOSE_E:
	case PPME_SOCKET_BIND_E:
	case PPME_SYSCALL_FCHDIR_E:
	case PPME_SYSCALL_READV_E:
	case PPME_SOCKET_RECVMSG_E:
	case PPME_SYSCALL_DUP_E:
	case PPME_SOCKET_ACCEPT4_5_E:
	case PPME_SYSCALL_MKDIR_2_E:
	case PPME_SYSCALL_EXECVE_19_E:
		return 1;
	case PPME_SYSCALL_READ_E:
	case PPME_SYSCALL_WRITE_E:
	case PPME_SOCKET_RECVFROM_E:
	case PPME_SYSCALL_PREADV_E:
	case PPME_SOCKET_CONNECT_E:
	case PPME_SOCKET_LISTEN_E:
	case PPME_SOCKET_SHUTDOWN_E:
	case PPME_SYSCALL_EVENTFD_E:
	case PPME_SYSCALL_WRITEV_E:
		return 2;
	case PPME_SYSCALL_PREAD_E:
	case PPME_SYSCALL_PWRITE_E:
	case PPME_SYSCALL_PWRITEV_E:
	case PPME_SOCKET_SOCKET_E:
	case PPME_SOCKET_SENDTO_E:
	case PPME_SOCKET_SENDMSG_E:
	case PPME_SYSCALL_EXECVEAT_E:
		return 3;
	case PPME_SYSCALL_SENDFILE_E:
		return 4;
	case PPME_SOCKET_ACCEPT_5_E:
	case PPME_SOCKET_PIPE_E:
	case PPME_SYSCALL_CHDIR_E:
	case PPME_SYSCALL_RMDIR_2_E:
	case PPME_SYSCALL_UNLINK_2_E:
	case PPME_SYSCALL_UNLINKAT_2_E:
	case PPME_SYSCALL_MKDIRAT_E:
	case PPME_SYSCALL_RENAME_E:
	case PPME_SYSCALL_RENAMEAT_E:
	case PPME_SYSCALL_RENAMEAT2_E:
	case PPME_SYSCALL_CLONE_20_E:
	case PPME_SYSCALL_FORK_20_E:
	case PPME_SYSCALL_VFORK_20_E:
	case PPME_SYSCALL_CLONE3_E:
		return 0;
	}
	return TSD_NO_FILLER;
}

/* ---- exit dispatch ------------------------------------------------------ */

static __noinline void fill_exit(struct ev *e, __u16 type, struct sc_args *args, long ret, __u16 ppm_sc)
{
	const __u64 *a = args->a;

	switch (type) {
	case PPME_SYSCALL_OPEN_X:
	case PPME_SYSCALL_CREAT_X:
	case PPME_SYSCALL_OPENAT_2_X: {
		__u32 dev = 0;
		__u64 ino;
		__u64 flags, mode;
		put_s64(e, ret);
		if (type == PPME_SYSCALL_OPENAT_2_X) {
			put_s64(e, dirfd_to_scap(a[0]));
			put_user_str(e, (void *)a[1]);
			flags = a[2];
			mode = a[3];
		} else if (type == PPME_SYSCALL_CREAT_X) {
			put_user_str(e, (void *)a[0]);
			flags = O_CREAT;
			mode = a[1];
		} else {
			put_user_str(e, (void *)a[0]);
			flags = a[1];
			mode = a[2];
		}
		if (type != PPME_SYSCALL_CREAT_X)
			put_u32(e, open_flags_to_scap(flags));
		put_u32(e, open_mode_to_scap(flags, mode));
		if (ret >= 0)
			fd_dev_ino(ret, &dev, &ino);
		put_u32(e, dev);
		break;
	}
	case PPME_SYSCALL_OPENAT2_X: {
		struct open_how how = {};
		bpf_probe_read_user(&how, sizeof(how), (void *)a[2]);
		put_s64(e, ret);
		put_s64(e, dirfd_to_scap(a[0]));
		put_user_str(e, (void *)a[1]);
		put_u32(e, open_flags_to_scap(how.flags));
		put_u32(e, open_mode_to_scap(how.flags, how.mode));
		put_u32(e, resolve_to_scap(how.resolve));
		break;
	}
	case PPME_SYSCALL_READ_X:
	case PPME_SYSCALL_PREAD_X:
	case PPME_SOCKET_RECVFROM_X:
		put_s64(e, ret);
		put_user_bytes(e, ret > 0 ? (void *)a[1] : NULL, ret > 0 ? ret : 0, e->snaplen);
		if (type == PPME_SOCKET_RECVFROM_X) {
			/* tuple, when the caller asked for the source address */
			int fam = -1;
			if (ret >= 0 && a[4] && a[5]) {
				int alen = 0;
				bpf_probe_read_user(&alen, sizeof(alen), (void *)a[5]);
				fam = copy_user_sockaddr(e, (void *)a[4], alen);
			}
			set_len(e, fam > 0 ? write_socktuple(e, (int)a[0], true, true) : 0);
		}
		break;
	case PPME_SYSCALL_WRITE_X:
	case PPME_SYSCALL_PWRITE_X:
		put_s64(e, ret);
		put_user_bytes(e, (void *)a[1], a[2], e->snaplen);
		break;
	case PPME_SOCKET_SENDTO_X:
		put_s64(e, ret);
		put_user_bytes(e, ret > 0 ? (void *)a[1] : NULL, ret > 0 ? ret : 0, e->snaplen);
		break;
	case PPME_SYSCALL_READV_X:
	case PPME_SYSCALL_PREADV_X: {
		__u64 total;
		__u32 n;
		put_s64(e, ret);
		n = load_iovs(e, (void *)a[1], a[2], &total);
		if (ret < 0)
			total = 0;
		else if (total > (__u64)ret)
			total = ret;
		put_u32(e, total);
		put_iov_data(e, n, total);
		break;
	}
	case PPME_SYSCALL_WRITEV_X:
	case PPME_SYSCALL_PWRITEV_X: {
		__u64 total;
		__u32 n;
		put_s64(e, ret);
		n = load_iovs(e, (void *)a[1], a[2], &total);
		put_iov_data(e, n, total);
		break;
	}
	case PPME_SOCKET_SENDMSG_X:
	case PPME_SOCKET_RECVMSG_X: {
		struct user_msghdr *mh = (struct user_msghdr *)&e->tmp[TMP_MSGHDR];
		__u64 total = 0;
		__u32 n = 0;
		bool ok = bpf_probe_read_user(mh, sizeof(*mh), (void *)a[1]) == 0;
		put_s64(e, ret);
		if (ok)
			n = load_iovs(e, mh->msg_iov, mh->msg_iovlen, &total);
		if (type == PPME_SOCKET_RECVMSG_X) {
			int fam = -1;
			if (ret < 0)
				total = 0;
			else if (total > (__u64)ret)
				total = ret;
			put_u32(e, total);
			put_iov_data(e, n, total);
			if (ok && ret >= 0)
				fam = copy_user_sockaddr(e, mh->msg_name, mh->msg_namelen);
			set_len(e, fam > 0 ? write_socktuple(e, (int)a[0], true, true) : 0);
		} else {
			put_iov_data(e, n, total);
		}
		break;
	}
	case PPME_SYSCALL_SENDFILE_X: {
		__u64 off = 0;
		put_s64(e, ret);
		if (a[2])
			bpf_probe_read_user(&off, sizeof(off), (void *)a[2]);
		put_u64(e, off);
		break;
	}
	case PPME_SOCKET_CONNECT_X: {
		int fam;
		put_s64(e, ret);
		fam = copy_user_sockaddr(e, (void *)a[1], (__s64)(int)a[2]);
		set_len(e, fam > 0 ? write_socktuple(e, (int)a[0], true, false) : 0);
		break;
	}
	case PPME_SOCKET_BIND_X: {
		int fam;
		put_s64(e, ret);
		fam = copy_user_sockaddr(e, (void *)a[1], (__s64)(int)a[2]);
		set_len(e, fam > 0 ? write_sockaddr(e, fam) : 0);
		break;
	}
	case PPME_SOCKET_ACCEPT_5_X:
	case PPME_SOCKET_ACCEPT4_5_X: {
		struct socket *lsock;
		__u32 qlen = 0, qmax = 0;
		put_s64(e, ret);
		set_len(e, ret >= 0 ? write_socktuple(e, ret, false, true) : 0);
		lsock = fd_to_socket((int)a[0]);
		if (lsock) {
			struct sock *sk = BPF_CORE_READ(lsock, sk);
			if (sk) {
				qlen = BPF_CORE_READ(sk, sk_ack_backlog);
				qmax = BPF_CORE_READ(sk, sk_max_ack_backlog);
			}
		}
		put_u8(e, qmax ? (qlen * 100) / qmax : 0);
		put_u32(e, qlen);
		put_u32(e, qmax);
		break;
	}
	case PPME_SOCKET_PIPE_X: {
		int fds[2] = {-1, -1};
		__u32 dev;
		__u64 ino = 0;
		put_s64(e, ret);
		bpf_probe_read_user(fds, sizeof(fds), (void *)a[0]);
		put_s64(e, fds[0]);
		put_s64(e, fds[1]);
		if (ret < 0 || !fd_dev_ino(fds[0], &dev, &ino))
			ino = 0;
		put_u64(e, ino);
		break;
	}
	case PPME_SYSCALL_CHDIR_X:
	case PPME_SYSCALL_MKDIR_2_X:
	case PPME_SYSCALL_RMDIR_2_X:
	case PPME_SYSCALL_UNLINK_2_X:
		put_s64(e, ret);
		put_user_str(e, (void *)a[0]);
		break;
	case PPME_SYSCALL_UNLINKAT_2_X:
		put_s64(e, ret);
		put_s64(e, dirfd_to_scap(a[0]));
		put_user_str(e, (void *)a[1]);
		put_u32(e, (a[2] & AT_REMOVEDIR) ? PPM_AT_REMOVEDIR : 0);
		break;
	case PPME_SYSCALL_MKDIRAT_X:
		put_s64(e, ret);
		put_s64(e, dirfd_to_scap(a[0]));
		put_user_str(e, (void *)a[1]);
		put_u32(e, a[2]);
		break;
	case PPME_SYSCALL_RENAME_X:
		put_s64(e, ret);
		put_user_str(e, (void *)a[0]);
		put_user_str(e, (void *)a[1]);
		break;
	case PPME_SYSCALL_RENAMEAT_X:
	case PPME_SYSCALL_RENAMEAT2_X:
		put_s64(e, ret);
		put_s64(e, dirfd_to_scap(a[0]));
		put_user_str(e, (void *)a[1]);
		put_s64(e, dirfd_to_scap(a[2]));
		put_user_str(e, (void *)a[3]);
		if (type == PPME_SYSCALL_RENAMEAT2_X)
			put_u32(e, a[4]);
		break;
	case PPME_SYSCALL_CLOSE_X:
	case PPME_SOCKET_SOCKET_X:
	case PPME_SOCKET_LISTEN_X:
	case PPME_SOCKET_SHUTDOWN_X:
	case PPME_SYSCALL_EVENTFD_X:
	case PPME_SYSCALL_FCHDIR_X:
	case PPME_SYSCALL_DUP_X:
		put_s64(e, ret);
		break;
	case PPME_SYSCALL_EXECVE_19_X:
	case PPME_SYSCALL_EXECVEAT_X:
	case PPME_SYSCALL_CLONE_20_X:
	case PPME_SYSCALL_FORK_20_X:
	case PPME_SYSCALL_VFORK_20_X:
	case PPME_SYSCALL_CLONE3_X:
		fill_proc_exit(e, args, ret, type);
		break;
	default:
		put_u16(e, ppm_sc);
		break;
	}
}

static __always_inline __u32 exit_nparams(__u16 type)
{
	switch (type) {
	case PPME_SYSCALL_OPEN_X: return 5;
	case PPME_SYSCALL_CREAT_X: return 4;
	case PPME_SYSCALL_OPENAT_2_X:
	case PPME_SYSCALL_OPENAT2_X:
		return 6;
	case PPME_SYSCALL_READ_X:
	case PPME_SYSCALL_PREAD_X:
	case PPME_SYSCALL_WRITE_X:
	case PPME_SYSCALL_PWRITE_X:
	case PPME_SOCKET_SENDTO_X:
	case PPME_SYSCALL_WRITEV_X:
	case PPME_SYSCALL_PWRITEV_X:
	case PPME_SOCKET_SENDMSG_X:
	case PPME_SYSCALL_SENDFILE_X:
	case PPME_SOCKET_CONNECT_X:
	case PPME_SOCKET_BIND_X:
	case PPME_SYSCALL_CHDIR_X:
	case PPME_SYSCALL_MKDIR_2_X:
	case PPME_SYSCALL_RMDIR_2_X:
	case PPME_SYSCALL_UNLINK_2_X:
		return 2;
	case PPME_SOCKET_RECVFROM_X:
	case PPME_SYSCALL_READV_X:
	case PPME_SYSCALL_PREADV_X:
	case PPME_SYSCALL_RENAME_X:
		return 3;
	case PPME_SOCKET_RECVMSG_X:
	case PPME_SOCKET_PIPE_X:
	case PPME_SYSCALL_UNLINKAT_2_X:
	case PPME_SYSCALL_MKDIRAT_X:
		return 4;
	case PPME_SOCKET_ACCEPT_5_X:
	case PPME_SOCKET_ACCEPT4_5_X:
	case PPME_SYSCALL_RENAMEAT_X:
		return 5;
	case PPME_SYSCALL_RENAMEAT2_X:
		return 6;
	case PPME_SYSCALL_CLOSE_X:
	case PPME_SOCKET_SOCKET_X:
	case PPME_SOCKET_LISTEN_X:
	case PPME_SOCKET_SHUTDOWN_X:
	case PPME_SYSCALL_EVENTFD_X:
	case PPME_SYSCALL_FCHDIR_X:
	case PPME_SYSCALL_DUP_X:
		return 1;
	case PPME_SYSCALL_EXECVE_19_X:
	case PPME_SYSCALL_EXECVEAT_X:
		return 26;
	case PPME_SYSCALL_CLONE_20_X:
	case PPME_SYSCALL_FORK_20_X:
	case PPME_SYSCALL_VFORK_20_X:
	case PPME_SYSCALL_CLONE3_X:
		return 20;
	}
	return TSD_NO_FILLER;
}

/* ---- programs ----------------------------------------------------------- */

/* regs is a trusted BTF pointer in tp_btf programs: plain loads, no helper calls. */
static __always_inline void read_args(struct pt_regs *regs, struct sc_args *args)
{
	args->a[0] = regs->di;
	args->a[1] = regs->si;
	args->a[2] = regs->dx;
	args->a[3] = regs->r10;
	args->a[4] = regs->r8;
	args->a[5] = regs->r9;
}

static __always_inline bool in_compat_syscall(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	if (bpf_core_field_exists(t->thread_info.status))
		return t->thread_info.status & TS_COMPAT;
	return false;
}

static __always_inline __u64 wakeup_flags(struct tsd_settings *s)
{
	return (s->flags & TSD_SET_NO_WAKEUP) ? BPF_RB_NO_WAKEUP : 0;
}

/* Returns the route for syscall nr, or NULL when nothing must be emitted. */
static __always_inline struct tsd_route *route_for(long id, __u64 pid_tgid, struct tsd_settings **sp)
{
	struct tsd_settings *s = get_settings();
	struct tsd_route *r;
	__u32 nr;

	if (!s || !s->capture_on)
		return NULL;
	if ((pid_tgid >> 32) == s->self_tgid)
		return NULL;
	if (id < 0 || id >= TSD_MAX_SYSCALLS)
		return NULL;
	nr = id;
	r = bpf_map_lookup_elem(&routes, &nr);
	if (!r || (r->flags & TSD_ROUTE_SKIP))
		return NULL;
	if (in_compat_syscall())
		return NULL;
	*sp = s;
	return r;
}

static __always_inline void count_ring(long failed)
{
	__u32 zero = 0;
	struct tsd_counters *c = bpf_map_lookup_elem(&counters, &zero);
	if (!c)
		return;
	if (failed)
		c->n_drops_full++;
	else
		c->n_evts++;
}

/*
 * Fast path for syscalls without a dedicated event (the bulk of the
 * traffic): one compact record (TSD_COMPACT_LEN bytes, the same ring
 * footprint as a bare timestamp + thread id record) written straight into a
 * ring reservation; userspace expands it into the scap generic event
 * (GENERIC_E: ID, nativeID; GENERIC_X: ID). Every byte a syscall writes to
 * the ring costs the traced thread (fresh ring lines are cache misses), so
 * the 36/32-byte scap events this replaces cost measurably more.
 */
static __always_inline void emit_generic(struct tsd_settings *s, bool enter, __u16 ppm_sc, __u32 nr, __u64 pid_tgid)
{
	__u64 *p = bpf_ringbuf_reserve(&events, TSD_COMPACT_LEN, 0);
	__u32 word;

	if (!p) {
		count_ring(1);
		return;
	}
	word = (nr & TSD_COMPACT_NR_MASK) | ((__u32)(ppm_sc & TSD_COMPACT_SC_MASK) << TSD_COMPACT_SC_SHIFT) |
	       ((__u32)bpf_get_smp_processor_id() << TSD_COMPACT_CPU_SHIFT);
	if (!enter)
		word |= TSD_COMPACT_EXIT;
	p[0] = bpf_ktime_get_boot_ns() + s->boot_to_epoch_ns;
	p[1] = (pid_tgid & 0xffffffff) | ((__u64)word << 32);
	bpf_ringbuf_submit(p, wakeup_flags(s));
	count_ring(0);
}

/* Remembers what exit events of clone/clone3/execveat need from the enter. */
static __always_inline void note_enter(__u16 type, struct sc_args *args, __u64 pid_tgid)
{
	__u32 tid = pid_tgid, tgid = pid_tgid >> 32;
	__u64 raw = 0;

	switch (type) {
	case PPME_SYSCALL_CLONE_20_E:
		raw = args->a[0];
		bpf_map_update_elem(&clone_flags, &tid, &raw, BPF_ANY);
		break;
	case PPME_SYSCALL_CLONE3_E:
		if (bpf_probe_read_user(&raw, sizeof(raw), (void *)args->a[0]) == 0)
			bpf_map_update_elem(&clone_flags, &tid, &raw, BPF_ANY);
		break;
	case PPME_SYSCALL_EXECVEAT_E: {
		__u32 one = 1;
		bpf_map_update_elem(&execveat_tgids, &tgid, &one, BPF_ANY);
		break;
	}
	}
}

/*
 * The full programs, reached by tail call from the attached ones for
 * syscalls whose route names a dedicated event (never attached themselves).
 */
int tsd_sys_enter_full(unsigned long long *ctx);
int tsd_sys_exit_full(unsigned long long *ctx);

/* One map per tracepoint: the kernel lets a program array hold tracing
 * programs of a single attach point only. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, int(void *));
} enter_tail SEC(".maps") = {
	.values = { [0] = (void *)&tsd_sys_enter_full },
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, int(void *));
} exit_tail SEC(".maps") = {
	.values = { [0] = (void *)&tsd_sys_exit_full },
};

/*
 * The attached programs' whole work: route, then the compact generic record,
 * or a tail call to the full program when the route names a dedicated event
 * (the generic record also stands in should the tail call fail, which a
 * loaded probe never sees).
 */
static __always_inline void fast_path(void *ctx, long id, bool enter, void *tail_map)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct tsd_settings *s = NULL;
	struct tsd_route *r = route_for(id, pid_tgid, &s);

	if (!r || !s)
		return;
	if (r->flags & TSD_ROUTE_USED)
		bpf_tail_call(ctx, tail_map, 0);
	emit_generic(s, enter, r->ppm_sc, id, pid_tgid);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(tsd_sys_enter, struct pt_regs *regs, long id)
{
	fast_path(ctx, id, true, &enter_tail);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tsd_sys_exit, struct pt_regs *regs, long ret)
{
	fast_path(ctx, regs->orig_ax, false, &exit_tail);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(tsd_sys_enter_full, struct pt_regs *regs, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct tsd_settings *s = NULL;
	struct tsd_route *r = route_for(id, pid_tgid, &s);
	struct ev *e;
	struct sc_args args;
	__u32 nparams;
	__u16 type;

	if (!r || !s)
		return 0;
	type = r->enter_evt;
	nparams = enter_nparams(type);
	if (!(r->flags & TSD_ROUTE_USED) || nparams == TSD_NO_FILLER) {
		emit_generic(s, true, r->ppm_sc, id, pid_tgid);
		return 0;
	}
	e = ev_begin(s, type, nparams, (__u32)pid_tgid);
	if (!e)
		return 0;
	read_args(regs, &args);
	note_enter(type, &args, pid_tgid);
	fill_enter(e, type, &args, (__u32)id, r->ppm_sc);
	submit(e);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tsd_sys_exit_full, struct pt_regs *regs, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct tsd_settings *s = NULL;
	long id = regs->orig_ax;
	struct tsd_route *r = route_for(id, pid_tgid, &s);
	struct ev *e;
	struct sc_args args;
	__u16 type;

	if (!r || !s)
		return 0;
	type = r->exit_evt;
	if (!(r->flags & TSD_ROUTE_USED) || exit_nparams(type) == TSD_NO_FILLER) {
		emit_generic(s, false, r->ppm_sc, id, pid_tgid);
		return 0;
	}
	if (type == PPME_SYSCALL_EXECVE_19_X || type == PPME_SYSCALL_EXECVEAT_X) {
		__u32 tgid = pid_tgid >> 32;
		if (bpf_map_lookup_elem(&execveat_tgids, &tgid)) {
			type = PPME_SYSCALL_EXECVEAT_X;
			bpf_map_delete_elem(&execveat_tgids, &tgid);
		}
	}
	/* after a successful execve the current tid may be the leader's: re-read */
	e = ev_begin(s, type, exit_nparams(type), (__u32)bpf_get_current_pid_tgid());
	if (!e)
		return 0;
	read_args(regs, &args);
	fill_exit(e, type, &args, ret, r->ppm_sc);
	submit(e);
	return 0;
}

/* Hands the parent's pending clone flags to the child (see clone_flags). */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(tsd_proc_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptid = bpf_get_current_pid_tgid();
	__u32 ctid;
	__u64 *f = bpf_map_lookup_elem(&clone_flags, &ptid);
	__u64 v;

	if (!f)
		return 0;
	v = *f;
	ctid = BPF_CORE_READ(child, pid);
	bpf_map_update_elem(&clone_flags, &ctid, &v, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tsd_proc_exit, struct task_struct *p)
{
	struct tsd_settings *s = get_settings();
	struct ev *e;
	int code;
	__u32 tgid;

	if (!s || !s->capture_on)
		return 0;
	tgid = BPF_CORE_READ(p, tgid);
	if (tgid == s->self_tgid)
		return 0;
	e = ev_begin(s, PPME_PROCEXIT_1_E, 4, BPF_CORE_READ(p, pid));
	if (!e)
		return 0;
	code = BPF_CORE_READ(p, exit_code);
	put_s64(e, code);
	put_s64(e, (code >> 8) & 0xff);
	/* signaled: low 7 bits are the signal (0x7f means stopped) */
	put_u8(e, ((code & 0x7f) != 0 && (code & 0x7f) != 0x7f) ? (code & 0x7f) : 0);
	put_u8(e, (code & 0x80) ? 1 : 0);
	submit(e);
	return 0;
}
