/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * tsysdig probe: constants and structures shared between the eBPF program
 * (probe/tsysdig.bpf.c) and its TypeScript loader (src/live/ modules).
 *
 * Every layout below is mirrored by hand in src/live/probe-abi.ts: change
 * both together.
 */
#ifndef TSYSDIG_H
#define TSYSDIG_H

/* ---- scap event layout ---------------------------------------------------
 * header: u64 ts | u64 tid | u32 len | u16 type | u32 nparams  (26 bytes, packed)
 * then nparams x u16 parameter lengths, then the parameter bytes.
 * Each ring record is one such event followed by a u16 trailer holding the
 * CPU that produced it (the record length covers the trailer, the event's
 * own len field does not).
 */
#define TSD_HDR_LEN 26

/* ---- compact generic record ----------------------------------------------
 * Syscalls without a dedicated event are written as one 16-byte record
 * (a ring record of exactly this length; a scap event record is always
 * longer) which userspace expands into PPME_GENERIC_E / PPME_GENERIC_X:
 *   u64 ts (ns since the epoch, as in the scap header)
 *   u32 tid
 *   u32 word: bits 0-8 native syscall nr, 9-17 PPM_SC code, 18 exit,
 *             19-31 CPU
 */
#define TSD_COMPACT_LEN 16
#define TSD_COMPACT_NR_MASK 0x1ff
#define TSD_COMPACT_SC_SHIFT 9
#define TSD_COMPACT_SC_MASK 0x1ff
#define TSD_COMPACT_EXIT 0x40000 /* bit 18 */
#define TSD_COMPACT_CPU_SHIFT 19

/* Scratch buffer geometry. Parameters are written at (off & TSD_OFF_MASK)
 * and never exceed TSD_CHUNK_MAX bytes, so every write stays inside
 * TSD_EVT_BUF_SIZE. Variable-length parameters are emptied once an event
 * grows beyond TSD_EVT_SOFT_MAX, which keeps every event below 16 KiB. */
#define TSD_OFF_MASK 0x3fff
#define TSD_CHUNK_MAX 4096
#define TSD_EVT_SOFT_MAX 11776
#define TSD_EVT_BUF_SIZE (16384 + 8192)
#define TSD_TMP_SIZE 1024
#define TSD_MAX_EVT_LEN (TSD_OFF_MASK - 8)

/* Syscall routing table size (x86_64 syscall numbers are < 512). */
#define TSD_MAX_SYSCALLS 512

/* I/O snapshot length bounds (bytes of buffer copied into `data`). */
#define TSD_SNAPLEN_DEFAULT 80
#define TSD_SNAPLEN_MAX 4096

/* execve/clone limits */
#define TSD_ARGS_MAX 4096       /* args and env areas, each */
#define TSD_ARGV_ITEMS_MAX 32   /* argv/envp pointers walked on a failed execve */
#define TSD_CGROUP_DEPTH 10     /* kernfs ancestors walked per cgroup path */
#define TSD_CGROUP_NAME_MAX 256
#define TSD_IOV_MAX 32

/* Settings, one element of the `settings` array map (written by userspace). */
struct tsd_settings {
	__u64 boot_to_epoch_ns; /* added to bpf_ktime_get_boot_ns() */
	__u32 self_tgid;        /* events of this process are not generated */
	__u32 snaplen;          /* bytes of I/O buffers captured (<= TSD_SNAPLEN_MAX) */
	__u32 capture_on;       /* 0: generate nothing */
	__u32 flags;            /* TSD_SET_* */
};

/* Ring wakeup policy: by default the kernel wakes the reader adaptively
 * (when it has caught up). With NO_WAKEUP the reader polls on a timer. */
#define TSD_SET_NO_WAKEUP 1

/* Routing table entry, indexed by native syscall number. */
struct tsd_route {
	__u16 enter_evt; /* scap event id of the enter event */
	__u16 exit_evt;  /* scap event id of the exit event */
	__u16 ppm_sc;    /* PPM_SC_* code, for generic events */
	__u16 flags;     /* TSD_ROUTE_* */
};
#define TSD_ROUTE_USED 1 /* enter_evt/exit_evt are valid (else: generic events) */
#define TSD_ROUTE_SKIP 2 /* emit nothing for this syscall */

/* Per-CPU counters (one element of the `counters` per-CPU array map). */
struct tsd_counters {
	__u64 n_evts;       /* events written to the ring */
	__u64 n_drops_full; /* events lost because the ring was full */
	__u64 n_drops_bug;  /* events not emitted: inconsistent build (probe bug) */
	__u64 n_truncated;  /* events whose variable-size params were cut */
};

/* ---- scap event ids used by the probe (0.29-era table) ------------------- */
#define PPME_GENERIC_E 0
#define PPME_GENERIC_X 1
#define PPME_SYSCALL_OPEN_E 2
#define PPME_SYSCALL_OPEN_X 3
#define PPME_SYSCALL_CLOSE_E 4
#define PPME_SYSCALL_CLOSE_X 5
#define PPME_SYSCALL_READ_E 6
#define PPME_SYSCALL_READ_X 7
#define PPME_SYSCALL_WRITE_E 8
#define PPME_SYSCALL_WRITE_X 9
#define PPME_SOCKET_SOCKET_E 18
#define PPME_SOCKET_SOCKET_X 19
#define PPME_SOCKET_BIND_E 20
#define PPME_SOCKET_BIND_X 21
#define PPME_SOCKET_CONNECT_E 22
#define PPME_SOCKET_CONNECT_X 23
#define PPME_SOCKET_LISTEN_E 24
#define PPME_SOCKET_LISTEN_X 25
#define PPME_SOCKET_SENDTO_E 30
#define PPME_SOCKET_SENDTO_X 31
#define PPME_SOCKET_RECVFROM_E 34
#define PPME_SOCKET_RECVFROM_X 35
#define PPME_SOCKET_SHUTDOWN_E 36
#define PPME_SOCKET_SHUTDOWN_X 37
#define PPME_SOCKET_SENDMSG_E 48
#define PPME_SOCKET_SENDMSG_X 49
#define PPME_SOCKET_RECVMSG_E 52
#define PPME_SOCKET_RECVMSG_X 53
#define PPME_SYSCALL_CREAT_E 58
#define PPME_SYSCALL_CREAT_X 59
#define PPME_SOCKET_PIPE_E 60
#define PPME_SOCKET_PIPE_X 61
#define PPME_SYSCALL_EVENTFD_E 62
#define PPME_SYSCALL_EVENTFD_X 63
#define PPME_SYSCALL_CHDIR_E 94
#define PPME_SYSCALL_CHDIR_X 95
#define PPME_SYSCALL_FCHDIR_E 96
#define PPME_SYSCALL_FCHDIR_X 97
#define PPME_SYSCALL_PREAD_E 112
#define PPME_SYSCALL_PREAD_X 113
#define PPME_SYSCALL_PWRITE_E 114
#define PPME_SYSCALL_PWRITE_X 115
#define PPME_SYSCALL_READV_E 116
#define PPME_SYSCALL_READV_X 117
#define PPME_SYSCALL_WRITEV_E 118
#define PPME_SYSCALL_WRITEV_X 119
#define PPME_SYSCALL_PREADV_E 120
#define PPME_SYSCALL_PREADV_X 121
#define PPME_SYSCALL_PWRITEV_E 122
#define PPME_SYSCALL_PWRITEV_X 123
#define PPME_SYSCALL_DUP_E 124
#define PPME_SYSCALL_DUP_X 125
#define PPME_SYSCALL_RENAME_E 174
#define PPME_SYSCALL_RENAME_X 175
#define PPME_SYSCALL_RENAMEAT_E 176
#define PPME_SYSCALL_RENAMEAT_X 177
#define PPME_PROCEXIT_1_E 186
#define PPME_SYSCALL_SENDFILE_E 188
#define PPME_SYSCALL_SENDFILE_X 189
#define PPME_SYSCALL_CLONE_20_E 222
#define PPME_SYSCALL_CLONE_20_X 223
#define PPME_SYSCALL_FORK_20_E 224
#define PPME_SYSCALL_FORK_20_X 225
#define PPME_SYSCALL_VFORK_20_E 226
#define PPME_SYSCALL_VFORK_20_X 227
#define PPME_SOCKET_ACCEPT_5_E 246
#define PPME_SOCKET_ACCEPT_5_X 247
#define PPME_SOCKET_ACCEPT4_5_E 248
#define PPME_SOCKET_ACCEPT4_5_X 249
#define PPME_SYSCALL_MKDIR_2_E 276
#define PPME_SYSCALL_MKDIR_2_X 277
#define PPME_SYSCALL_RMDIR_2_E 278
#define PPME_SYSCALL_RMDIR_2_X 279
#define PPME_SYSCALL_EXECVE_19_E 292
#define PPME_SYSCALL_EXECVE_19_X 293
#define PPME_SYSCALL_UNLINK_2_E 300
#define PPME_SYSCALL_UNLINK_2_X 301
#define PPME_SYSCALL_UNLINKAT_2_E 302
#define PPME_SYSCALL_UNLINKAT_2_X 303
#define PPME_SYSCALL_MKDIRAT_E 304
#define PPME_SYSCALL_MKDIRAT_X 305
#define PPME_SYSCALL_OPENAT_2_E 306
#define PPME_SYSCALL_OPENAT_2_X 307
#define PPME_SYSCALL_RENAMEAT2_E 318
#define PPME_SYSCALL_RENAMEAT2_X 319
#define PPME_SYSCALL_OPENAT2_E 326
#define PPME_SYSCALL_OPENAT2_X 327
#define PPME_SYSCALL_EXECVEAT_E 330
#define PPME_SYSCALL_EXECVEAT_X 331
#define PPME_SYSCALL_CLONE3_E 334
#define PPME_SYSCALL_CLONE3_X 335

/* ---- portable flag values (scap PPM_*) ----------------------------------- */
#define PPM_O_RDONLY (1 << 0)
#define PPM_O_WRONLY (1 << 1)
#define PPM_O_RDWR (PPM_O_RDONLY | PPM_O_WRONLY)
#define PPM_O_CREAT (1 << 2)
#define PPM_O_APPEND (1 << 3)
#define PPM_O_DSYNC (1 << 4)
#define PPM_O_EXCL (1 << 5)
#define PPM_O_NONBLOCK (1 << 6)
#define PPM_O_SYNC (1 << 7)
#define PPM_O_TRUNC (1 << 8)
#define PPM_O_DIRECT (1 << 9)
#define PPM_O_DIRECTORY (1 << 10)
#define PPM_O_LARGEFILE (1 << 11)
#define PPM_O_CLOEXEC (1 << 12)
#define PPM_O_TMPFILE (1 << 13)

#define PPM_CL_CLONE_FILES (1 << 0)
#define PPM_CL_CLONE_FS (1 << 1)
#define PPM_CL_CLONE_IO (1 << 2)
#define PPM_CL_CLONE_NEWIPC (1 << 3)
#define PPM_CL_CLONE_NEWNET (1 << 4)
#define PPM_CL_CLONE_NEWNS (1 << 5)
#define PPM_CL_CLONE_NEWPID (1 << 6)
#define PPM_CL_CLONE_NEWUTS (1 << 7)
#define PPM_CL_CLONE_PARENT (1 << 8)
#define PPM_CL_CLONE_PARENT_SETTID (1 << 9)
#define PPM_CL_CLONE_PTRACE (1 << 10)
#define PPM_CL_CLONE_SIGHAND (1 << 11)
#define PPM_CL_CLONE_SYSVSEM (1 << 12)
#define PPM_CL_CLONE_THREAD (1 << 13)
#define PPM_CL_CLONE_UNTRACED (1 << 14)
#define PPM_CL_CLONE_VM (1 << 15)
#define PPM_CL_CLONE_NEWUSER (1 << 20)
#define PPM_CL_CLONE_CHILD_CLEARTID (1 << 23)
#define PPM_CL_CLONE_CHILD_SETTID (1 << 24)
#define PPM_CL_CLONE_SETTLS (1 << 25)
#define PPM_CL_CLONE_VFORK (1 << 27)
#define PPM_CL_CLONE_NEWCGROUP (1 << 28)
#define PPM_CL_CHILD_IN_PIDNS (1 << 29)

#define PPM_RESOLVE_BENEATH (1 << 0)
#define PPM_RESOLVE_IN_ROOT (1 << 1)
#define PPM_RESOLVE_NO_MAGICLINKS (1 << 2)
#define PPM_RESOLVE_NO_SYMLINKS (1 << 3)
#define PPM_RESOLVE_NO_XDEV (1 << 4)
#define PPM_RESOLVE_CACHED (1 << 5)

#define PPM_EXVAT_AT_EMPTY_PATH (1 << 0)
#define PPM_EXVAT_AT_SYMLINK_NOFOLLOW (1 << 1)

#define PPM_EXE_WRITABLE (1 << 0)
#define PPM_EXE_UPPER_LAYER (1 << 1)
#define PPM_EXE_FROM_MEMFD (1 << 2)

#define PPM_AT_FDCWD -100
#define PPM_AT_REMOVEDIR 0x200

#endif /* TSYSDIG_H */
