#ifndef ALMANAC_CLIBXML2_SHIM_H
#define ALMANAC_CLIBXML2_SHIM_H
/* Debian builds libxml2 with ICU; its headers clash with Foundation's own ICU module.
   The reader API does not need ICU, so drop it before the other headers. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlerror.h>

/* xmlFree is a global function pointer that Swift 6 refuses to read: call it through here. */
static inline void almanac_xml_free(void *p) { xmlFree(p); }

/* The generic error callback is variadic, which Swift cannot implement: this one drops
   everything. Errors that matter reach the structured handler each reader installs. */
static void almanac_xml_ignore_generic(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }

/* Makes libxml2 print nothing by itself on this thread (errors go to structured handlers). */
static inline void almanac_xml_silence(void) {
    xmlSetGenericErrorFunc(NULL, almanac_xml_ignore_generic);
}
#endif
