#ifndef ALMANAC_CODBC_SHIM_H
#define ALMANAC_CODBC_SHIM_H
#include <sql.h>
#include <sqlext.h>
#include <sqltypes.h>
#include <sqlucode.h>
#endif
