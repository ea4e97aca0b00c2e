#ifndef ALMANAC_CLAZYLIBRARIES_H
#define ALMANAC_CLAZYLIBRARIES_H

/// Nothing to call: linking this target into the `almanac` executable defines the libcurl,
/// libxml2, libodbc and libsqlite3 functions it uses as stubs that load their library on first
/// call (see CLazyLibraries.c).

#endif
