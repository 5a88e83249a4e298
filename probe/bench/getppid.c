#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	long pause_every = argc > 2 ? atol(argv[2]) : 0;   /* calls per burst (0: no pauses) */
	long pause_us = argc > 3 ? atol(argv[3]) : 0;
	struct timespec a, b, ca, cb;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		syscall(SYS_getppid);
		if (pause_every && (i + 1) % pause_every == 0) { struct timespec s = {0, pause_us * 1000}; nanosleep(&s, NULL); }
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
	double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	double cpu = (cb.tv_sec - ca.tv_sec) * 1e9 + (cb.tv_nsec - ca.tv_nsec);
	/* nsPerCall: wall clock; cpuNsPerCall: CPU time of this process (BPF time included) */
	printf("{\"calls\":%ld,\"ns\":%.0f,\"nsPerCall\":%.1f,\"cpuNsPerCall\":%.1f}\n", n, ns, ns / n, cpu / n);
	return 0;
}
