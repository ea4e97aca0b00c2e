#define _GNU_SOURCE
#include "CProcessControl.h"
#include <spawn.h>
#include <stdio.h>
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
