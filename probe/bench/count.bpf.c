// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Benchmark baseline: the cheapest useful tracer. Counts syscall enters and
 * exits in a per-CPU array, nothing else. Used by src/live/bench-ring.ts and
 * src/live/bench-live.ts to separate the fixed cost of a tp_btf attachment
 * from tsysdig's own work.
 *
 * Built with -DTSD_BENCH_CLOCK it also reads the clock once per event, as
 * any tracer that timestamps events must (bpf_ktime_get_boot_ns): the floor
 * of a timestamping tracer.
 *
 * Built with -DTSD_BENCH_RING it instead writes one 16-byte record per event
 * (timestamp and thread id) into a BPF ring buffer, without waking any
 * reader: the floor of any tracer that streams a timestamped record per
 * syscall enter and exit, as a scap producer must. The ring holds a whole
 * benchmark run (2 M calls = 4 M records of 24 bytes with their headers).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

#ifdef TSD_BENCH_RING
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 << 20);
} records SEC(".maps");

static __always_inline void bump(__u32 k)
{
	__u64 *r = bpf_ringbuf_reserve(&records, 16, 0);
	if (r) {
		r[0] = bpf_ktime_get_boot_ns();
		r[1] = bpf_get_current_pid_tgid() | ((__u64)k << 63);
		bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	}
}
#else
static __always_inline void bump(__u32 k)
{
	__u64 *c = bpf_map_lookup_elem(&counts, &k);
	if (c)
#ifdef TSD_BENCH_CLOCK
		*c = bpf_ktime_get_boot_ns();
#else
		(*c)++;
#endif
}
#endif

SEC("tp_btf/sys_enter")
int BPF_PROG(count_enter, struct pt_regs *regs, long id)
{
	bump(0);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(count_exit, struct pt_regs *regs, long ret)
{
	bump(1);
	return 0;
}
