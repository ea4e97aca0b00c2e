#define _GNU_SOURCE
#include "CProcessControl.h"
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int almanac_set_pdeathsig(int sig) { return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0UL, 0UL, 0UL); }

int almanac_syncfs(int fd) { return syncfs(fd); }

int almanac_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL); }

int almanac_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int almanac_epoll_add(int epfd, int fd) {
    struct epoll_event ev = {0};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int almanac_epoll_remove(int epfd, int fd) {
    struct epoll_event ev = {0};
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev);
}

int almanac_epoll_wait(int epfd, int *fds, int max, int timeout_ms) {
    struct epoll_event events[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, events, max, timeout_ms);
    for (int i = 0; i < n; i++) fds[i] = events[i].data.fd;
    return n;
}

long almanac_release_clean_file_pages(void) {
    enum { MAX_RANGES = 512 };
    struct { unsigned long start, end; long rss; } ranges[MAX_RANGES];
    FILE *f = fopen("/proc/self/smaps", "re");
    if (!f) return -1;
    char line[4096];
    int count = 0;
    int candidate = 0;  // the current mapping is read-only, private or shared, and file-backed
    unsigned long start = 0, end = 0;
    long rss = 0;
    while (fgets(line, sizeof line, f)) {
        char perms[8] = {0};
        unsigned long s = 0, e = 0, inode = 0;
        int path = 0;
        // A mapping's header: "start-end perms offset dev inode [path]".
        if (sscanf(line, "%lx-%lx %7s %*x %*s %lu %n", &s, &e, perms, &inode, &path) >= 4) {
            start = s;
            end = e;
            candidate = perms[0] == 'r' && perms[1] == '-' && inode != 0 && line[path] != '[';
            rss = 0;
            continue;
        }
        if (!candidate) continue;
        long kb = 0;
        if (sscanf(line, "Rss: %ld", &kb) == 1) {
            rss = kb;
        } else if (sscanf(line, "Anonymous: %ld", &kb) == 1) {
            if (kb == 0 && rss > 0 && count < MAX_RANGES) {
                ranges[count].start = start;
                ranges[count].end = end;
                ranges[count].rss = rss;
                count++;
            }
            candidate = 0;
        }
    }
    fclose(f);
    long released = 0;
    for (int i = 0; i < count; i++) {
        if (madvise((void *)ranges[i].start, ranges[i].end - ranges[i].start, MADV_DONTNEED) == 0) {
            released += ranges[i].rss;
        }
    }
    return released;
}

int almanac_spawn_addchdir(void *actions, const char *dir) {
    return posix_spawn_file_actions_addchdir_np((posix_spawn_file_actions_t *)actions, dir);
}

int almanac_spawn_addclosefrom(void *actions, int lowfd) {
    return posix_spawn_file_actions_addclosefrom_np((posix_spawn_file_actions_t *)actions, lowfd);
}

int almanac_peek_exited_child(void) {
    siginfo_t info;
    info.si_pid = 0;
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return -1;
    return info.si_pid;
}

long almanac_send_with_fds(int sock, const void *buf, unsigned long len, const int *fds, int nfds) {
    if (nfds < 0 || nfds > 16) {
        errno = EINVAL;
        return -1;
    }
    union {
        char space[CMSG_SPACE(16 * sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (nfds > 0) {
        msg.msg_control = control.space;
        msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
        memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
    }
    ssize_t n;
    do n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return (long)n;
}

long almanac_recv_with_fds(int sock, void *buf, unsigned long cap, int *fds, int maxfds, int *nfds) {
    union {
        char space[CMSG_SPACE(16 * sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = {.iov_base = buf, .iov_len = cap};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.space,
                         .msg_controllen = sizeof control.space};
    *nfds = 0;
    ssize_t n;
    do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int got[16];
        if (count > 16) count = 16;
        memcpy(got, CMSG_DATA(c), count * sizeof(int));
        for (int i = 0; i < count; i++) {
            if (*nfds < maxfds) fds[(*nfds)++] = got[i];
            else close(got[i]);
        }
    }
    return (long)n;
}

int almanac_fork_orphan(int new_group) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return -1;
    pid_t middle = fork();
    if (middle < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        errno = e;
        return -1;
    }
    if (middle == 0) {
        pid_t child = fork();
        if (child == 0) {
            close(p[0]);
            close(p[1]);
            if (new_group) setpgid(0, 0);
            return 0;
        }
        if (child > 0 && new_group) setpgid(child, child);  // both sides: the group exists when either returns
        int answer[2] = {child, child < 0 ? errno : 0};
        ssize_t ignored = write(p[1], answer, sizeof answer);
        (void)ignored;
        _exit(0);
    }
    close(p[1]);
    int answer[2] = {-1, EAGAIN};
    ssize_t n;
    do n = read(p[0], answer, sizeof answer);
    while (n < 0 && errno == EINTR);
    close(p[0]);
    while (waitpid(middle, NULL, 0) < 0 && errno == EINTR) {}
    if (n != (ssize_t)sizeof answer || answer[0] < 0) {
        errno = n == (ssize_t)sizeof answer ? answer[1] : EAGAIN;
        return -1;
    }
    return answer[0];
}

void almanac_close_from(int lowfd) { closefrom(lowfd); }

unsigned long almanac_set_cmdline(char **argv, int argc, const char *text, unsigned long len) {
    // The memory's end is measured once: a rewrite zeroes the words it was measured from (and a
    // forked child inherits the measure).
    static char *end = 0;
    if (argc < 1 || !argv[0]) return 0;
    char *start = argv[0];
    if (!end) end = argv[argc - 1] + strlen(argv[argc - 1]);  // the last word's NUL
    unsigned long room = (unsigned long)(end - start);         // keeps that NUL
    unsigned long n = len < room ? len : room;
    memcpy(start, text, n);
    memset(start + n, 0, room - n + 1);
    return n;
}
