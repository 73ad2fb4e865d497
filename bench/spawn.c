/*
 * spawn: runs one command and reports its wall time, peak resident memory and
 * bytes read, for bench/bench.py.
 *
 *     spawn RESULT_FILE PROGRAM [ARGS...]
 *
 * Why not measure from Python directly: on Linux a child's ru_maxrss includes
 * the resident set of the process it was forked from (exec records the old
 * address space's high-water mark), so a child of the benchmark script would
 * report the script's own memory. This launcher is small, so the command it
 * forks starts from almost nothing and its ru_maxrss is its own.
 *
 * Bytes read come from /proc/<pid>/io (`rchar`), read while the child is a
 * zombie (exited, not yet reaped: waitid with WNOWAIT), so they cover the
 * child's whole life. The result is one line of key=value pairs written to
 * RESULT_FILE; the exit status is the command's.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long ns(const struct timespec *t) {
    return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long us(const struct timeval *t) {
    return (long long)t->tv_sec * 1000000LL + t->tv_usec;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: spawn RESULT_FILE PROGRAM [ARGS...]\n");
        return 127;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("spawn: fork");
        return 127;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    siginfo_t info;
    if (waitid(P_PID, pid, &info, WEXITED | WNOWAIT) != 0) {
        perror("spawn: waitid");
        return 127;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long rchar = -1;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/io", (int)pid);
    FILE *io = fopen(path, "r");
    if (io != NULL) {
        char line[256];
        while (fgets(line, sizeof line, io) != NULL) {
            if (sscanf(line, "rchar: %lld", &rchar) == 1) {
                break;
            }
        }
        fclose(io);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid) {
        perror("spawn: wait4");
        return 127;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *out = fopen(argv[1], "w");
    if (out == NULL) {
        perror(argv[1]);
        return 127;
    }
    fprintf(out, "wall_ns=%lld maxrss_kib=%ld rchar=%lld utime_us=%lld stime_us=%lld exit=%d\n",
            ns(&t1) - ns(&t0), ru.ru_maxrss, rchar, us(&ru.ru_utime), us(&ru.ru_stime), code);
    if (fclose(out) != 0) {
        perror(argv[1]);
        return 127;
    }
    return code;
}
