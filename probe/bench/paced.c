/*
 * Benchmark workload: getppid(2) at a steady rate. Calls are made in small
 * bursts on an absolute schedule (clock_nanosleep TIMER_ABSTIME), so the
 * offered rate holds over the whole run whatever the scheduler does.
 *
 *   paced CALLS_PER_SEC SECONDS [BURST]
 *
 * Prints {"calls":N,"ns":wall,"cpuNs":cpu,"callsPerSec":achieved}.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static double now_ns(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv)
{
	double rate = argc > 1 ? atof(argv[1]) : 100000;
	double secs = argc > 2 ? atof(argv[2]) : 10;
	long burst = argc > 3 ? atol(argv[3]) : 100;
	long total = (long)(rate * secs);
	double step_ns = burst * 1e9 / rate;
	struct timespec next;
	long done = 0;
	double c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	double t0 = now_ns(CLOCK_MONOTONIC);
	double due = t0;

	while (done < total) {
		long n = burst < total - done ? burst : total - done;
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		done += n;
		due += step_ns;
		if (due > now_ns(CLOCK_MONOTONIC)) {
			next.tv_sec = (time_t)(due / 1e9);
			next.tv_nsec = (long)(due - next.tv_sec * 1e9);
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		}
	}
	double wall = now_ns(CLOCK_MONOTONIC) - t0;
	double cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("{\"calls\":%ld,\"ns\":%.0f,\"cpuNs\":%.0f,\"callsPerSec\":%.1f}\n", done, wall, cpu, done / (wall / 1e9));
	return 0;
}
