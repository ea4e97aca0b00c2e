#ifndef ALMANAC_CPROCESSCONTROL_H
#define ALMANAC_CPROCESSCONTROL_H

/// prctl(2) is variadic and cannot be called from Swift: typed wrappers.

/// PR_SET_PDEATHSIG: `sig` is sent to the caller when the thread that spawned it exits.
int almanac_set_pdeathsig(int sig);

/// PR_SET_CHILD_SUBREAPER: orphaned descendants are re-parented to the caller (and reaped by it).
int almanac_set_child_subreaper(void);

#endif
