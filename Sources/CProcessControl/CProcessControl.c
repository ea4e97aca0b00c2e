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

/// A read-only, file-backed mapping holding no private copy: what may be dropped from the resident
/// set and faulted back from the page cache.
struct clean_range {
    unsigned long start, end, inode;
    long rss;  // kilobytes resident when /proc/self/smaps was read
};

enum { MAX_RANGES = 512 };

/// Fills `ranges` (up to MAX_RANGES) from /proc/self/smaps: the mappings that are readable, not
/// writable, backed by a file (not `[vdso]` and the like) and show `Anonymous: 0`; only those
/// with pages resident when `resident_only`. Returns their count, or -1.
static int clean_ranges(struct clean_range *ranges, int resident_only) {
    FILE *f = fopen("/proc/self/smaps", "re");
    if (!f) return -1;
    char line[4096];
    int count = 0;
    int candidate = 0;  // the current mapping is read-only, private or shared, and file-backed
    unsigned long start = 0, end = 0, inode = 0;
    long rss = 0;
    while (fgets(line, sizeof line, f)) {
        char perms[8] = {0};
        unsigned long s = 0, e = 0, node = 0;
        int path = 0;
        // A mapping's header: "start-end perms offset dev inode [path]".
        if (sscanf(line, "%lx-%lx %7s %*x %*s %lu %n", &s, &e, perms, &node, &path) >= 4) {
            start = s;
            end = e;
            inode = node;
            candidate = perms[0] == 'r' && perms[1] == '-' && node != 0 && line[path] != '[';
            rss = 0;
            continue;
        }
        if (!candidate) continue;
        long kb = 0;
        if (sscanf(line, "Rss: %ld", &kb) == 1) {
            rss = kb;
        } else if (sscanf(line, "Anonymous: %ld", &kb) == 1) {
            if (kb == 0 && (rss > 0 || !resident_only) && count < MAX_RANGES) {
                ranges[count++] = (struct clean_range){start, end, inode, rss};
            }
            candidate = 0;
        }
    }
    fclose(f);
    return count;
}

long almanac_release_clean_file_pages(void) {
    struct clean_range ranges[MAX_RANGES];
    int count = clean_ranges(ranges, 1);
    if (count < 0) return -1;
    long released = 0;
    for (int i = 0; i < count; i++) {
        if (madvise((void *)ranges[i].start, ranges[i].end - ranges[i].start, MADV_DONTNEED) == 0) {
            released += ranges[i].rss;
        }
    }
    return released;
}

/// The clean mappings `almanac_remember_clean_file_pages` found, inherited by forked children.
static struct clean_range remembered[MAX_RANGES];
static int remembered_count = -1;

int almanac_remember_clean_file_pages(void) {
    remembered_count = clean_ranges(remembered, 0);
    return remembered_count;
}

long almanac_release_remembered_file_pages(void) {
    if (remembered_count < 0) return -1;
    FILE *f = fopen("/proc/self/maps", "re");
    if (!f) return -1;
    char line[4096];
    long released = 0;
    int next = 0;  // both lists are in address order
    while (next < remembered_count && fgets(line, sizeof line, f)) {
        char perms[8] = {0};
        unsigned long s = 0, e = 0, node = 0;
        if (sscanf(line, "%lx-%lx %7s %*x %*s %lu", &s, &e, perms, &node) < 4) continue;
        while (next < remembered_count && remembered[next].end <= s) next++;
        if (next == remembered_count) break;
        const struct clean_range *r = &remembered[next];
        // Still the same mapping of the same file, still read-only: released.
        if (r->start == s && r->end == e && r->inode == node && perms[0] == 'r' && perms[1] == '-') {
            if (madvise((void *)s, e - s, MADV_DONTNEED) == 0) released += (long)((e - s) / 1024);
            next++;
        }
    }
    fclose(f);
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
