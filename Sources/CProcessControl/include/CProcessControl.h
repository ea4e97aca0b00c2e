#ifndef ALMANAC_CPROCESSCONTROL_H
#define ALMANAC_CPROCESSCONTROL_H

/// Linux calls that Swift cannot reach through Glibc: prctl(2) is variadic, and <sys/epoll.h>
/// is not part of the Glibc module (and `struct epoll_event` is packed).

/// PR_SET_PDEATHSIG: `sig` is sent to the caller when the thread that spawned it exits.
int almanac_set_pdeathsig(int sig);

/// PR_SET_CHILD_SUBREAPER: orphaned descendants are re-parented to the caller (and reaped by it).
int almanac_set_child_subreaper(void);

/// epoll_create1(EPOLL_CLOEXEC).
int almanac_epoll_create(void);

/// Registers `fd` for EPOLLIN (level-triggered), with the fd itself as the event's data.
int almanac_epoll_add(int epfd, int fd);

/// Removes `fd`.
int almanac_epoll_remove(int epfd, int fd);

/// epoll_wait; stores up to `max` ready descriptors in `fds`; returns their count or -1.
int almanac_epoll_wait(int epfd, int *fds, int max, int timeout_ms);

/// Drops from the resident set the pages of every read-only, file-backed mapping that holds no
/// private copy (`Anonymous: 0` in /proc/self/smaps): the binary's and the libraries' text and
/// read-only data touched while starting up. They stay in the page cache and come back on the
/// next access (a minor fault), so only the pages the process still uses count in its RSS again.
/// Writable and copied-on-write mappings are never touched. Returns the number of kilobytes that
/// were resident in the mappings released, or -1 when /proc/self/smaps cannot be read.
long almanac_release_clean_file_pages(void);

/// Finds, as `almanac_release_clean_file_pages` does, the read-only file-backed mappings holding
/// no private copy (resident or not) and remembers them in this process's memory, which a fork
/// copies. Returns their count, or -1 when /proc/self/smaps cannot be read. Reading smaps walks
/// the page tables of every mapping (the 100 MB binary's included): the worker template does it
/// once, so that each of its forked workers need not.
int almanac_remember_clean_file_pages(void);

/// Drops from the resident set the pages of the mappings `almanac_remember_clean_file_pages`
/// remembered (in this process or the one it was forked from) that /proc/self/maps still shows
/// the same (addresses, file, read-only): a private copy in a read-only mapping only comes from
/// a write before it was made read-only, which for the binary and its libraries happened before
/// they were remembered. Returns the kilobytes of those mappings (resident or not), or -1 when
/// nothing was remembered or /proc/self/maps cannot be read.
long almanac_release_remembered_file_pages(void);

/// syncfs(2) (not visible through Glibc's module): writes out every dirty page and inode of the
/// file system holding `fd`. Returns 0, or -1 with errno set.
int almanac_syncfs(int fd);

/// posix_spawn_file_actions_addchdir_np (glibc ≥ 2.29; not visible through Glibc's module):
/// the child changes to `dir` before exec. `actions` is a `posix_spawn_file_actions_t *`.
int almanac_spawn_addchdir(void *actions, const char *dir);

/// posix_spawn_file_actions_addclosefrom_np (glibc ≥ 2.34): the child closes every descriptor
/// from `lowfd` up before exec. `actions` is a `posix_spawn_file_actions_t *`.
int almanac_spawn_addclosefrom(void *actions, int lowfd);

/// The pid of a child that has exited and not been waited for, left waitable (waitid with
/// WNOWAIT); 0 when there is none, -1 with errno set on error (ECHILD: no children at all).
int almanac_peek_exited_child(void);

/// sendmsg(2) of `len` bytes on the datagram socket `sock` with `nfds` descriptors attached
/// (SCM_RIGHTS; at most 16). Returns the bytes sent, or -1 with errno set.
long almanac_send_with_fds(int sock, const void *buf, unsigned long len, const int *fds, int nfds);

/// recvmsg(2) of one datagram of at most `cap` bytes on `sock`, storing the descriptors that came
/// with it (close-on-exec; at most `maxfds`, any more are closed) in `fds` and their count in
/// `*nfds`. Returns the bytes received (0 at EOF), or -1 with errno set.
long almanac_recv_with_fds(int sock, void *buf, unsigned long cap, int *fds, int maxfds, int *nfds);

/// Forks twice so that the new process is an orphan: returns 0 in it (its parent, gone at once,
/// hands it to the nearest sub-reaper), its pid in the caller (after the middle process has been
/// reaped), or -1 with errno set. With `new_group`, the new process leads a process group of its
/// own before either side returns. The caller must be single-threaded.
int almanac_fork_orphan(int new_group);

/// closefrom(3): closes every descriptor from `lowfd` up.
void almanac_close_from(int lowfd);

/// Replaces what /proc/PID/cmdline shows with `len` bytes of `text` (NUL-separated words), in the
/// memory of the process's arguments (`argv`, `argc` as `main` received them): cut to fit, the rest
/// of that memory zeroed. Returns the bytes written.
unsigned long almanac_set_cmdline(char **argv, int argc, const char *text, unsigned long len);

#endif
