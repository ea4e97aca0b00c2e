/* The machine's floor for the grant round trip: the same two wake-ups as almanac's, without
 * almanac. A parent process ("supervisor") answers each line it reads on one pipe with a line on
 * another; the child's job thread writes an ask and reads the answer pipe itself (almanac's
 * worker reads its grant pipe, fd 5, on the thread that asked). COUNT round trips, 300 µs apart;
 * prints p50, p99 and max in µs. Built and run by grants.py beside it (cc -O2). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char ask[] = "{\"id\":\"q1\",\"keys\":[\"google:x\"],\"tokens\":1,\"type\":\"quota_ask\",\"v\":1}\n";
static const char grant[] = "{\"id\":\"q1\",\"type\":\"quota_grant\",\"v\":1,\"waited_ms\":0}\n";

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    int count = argc > 1 ? atoi(argv[1]) : 10000;
    int asks[2], grants[2];
    if (count < 1 || pipe(asks) || pipe(grants)) return 1;
    pid_t pid = fork();
    if (pid == 0) {  /* the supervisor: a line in, a line out */
        close(asks[1]);
        close(grants[0]);
        char buf[4096];
        for (;;) {
            struct pollfd p = {asks[0], POLLIN, 0};
            if (poll(&p, 1, -1) < 0) continue;
            ssize_t n = read(asks[0], buf, sizeof buf);
            if (n <= 0) _exit(0);
            for (ssize_t i = 0; i < n; i++)
                if (buf[i] == '\n' && write(grants[1], grant, sizeof grant - 1) != (ssize_t)(sizeof grant - 1)) _exit(1);
        }
    }
    close(asks[0]);
    close(grants[1]);
    double *samples = malloc(sizeof(double) * count);
    char buf[4096];
    for (int i = 0; i < count; i++) {
        double start = now_us();
        if (write(asks[1], ask, sizeof ask - 1) != (ssize_t)(sizeof ask - 1)) return 1;
        if (read(grants[0], buf, sizeof buf) <= 0) return 1;  /* one grant line a round trip */
        samples[i] = now_us() - start;
        usleep(300); /* almanac's run does an HTTP request between asks */
    }
    close(asks[1]);
    waitpid(pid, NULL, 0);
    qsort(samples, count, sizeof(double), cmp);
    printf("p50_us=%.0f p99_us=%.0f max_us=%.0f\n", samples[count / 2], samples[(int)(count * 0.99)],
           samples[count - 1]);
    return 0;
}
