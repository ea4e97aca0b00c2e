// Delay-loaded C libraries for the `almanac` executable (x86-64 Linux).
//
// Every function the binary calls in libcurl, libxml2, libodbc and libsqlite3 is defined here as a
// stub that jumps through a slot. The slot first points at a resolver that dlopen()s the library,
// looks the function up, stores its address in the slot and jumps to it with the caller's
// registers and stack untouched (so variadic calls such as curl_easy_setopt pass through); from
// then on the stub is one indirect jump. The binary then references no symbol of these libraries
// and `make release` removes their DT_NEEDED entries (contrib/build/drop-needed): `almanac status`
// and an idle CSV worker do not load libcurl and its ~30 dependencies (TLS, Kerberos, LDAP…),
// which was most of the dynamic loader's start-up work. Without that step (a plain `swift build`)
// the libraries load at start as before and the stubs still work. A function missing from the
// list below is bound the ordinary way, and drop-needed then refuses to drop its library only if
// symbol versions tie the binary to it; check with the `nm` line below after adding calls.
//
// To refresh the list after the code starts calling a new function:
//   nm -D --undefined-only .build/release/almanac | grep -E ' (curl_|xml|SQL|sqlite3_)'

#if defined(__x86_64__) && defined(__linux__)

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#define ALMANAC_LAZY_SYMBOLS(X) \
/* libcurl.so.4 */ \
    X(0, curl_easy_cleanup) \
    X(0, curl_easy_getinfo) \
    X(0, curl_easy_init) \
    X(0, curl_easy_perform) \
    X(0, curl_easy_reset) \
    X(0, curl_easy_setopt) \
    X(0, curl_easy_strerror) \
    X(0, curl_global_init) \
    X(0, curl_multi_add_handle) \
    X(0, curl_multi_cleanup) \
    X(0, curl_multi_info_read) \
    X(0, curl_multi_init) \
    X(0, curl_multi_perform) \
    X(0, curl_multi_poll) \
    X(0, curl_multi_remove_handle) \
    X(0, curl_multi_setopt) \
    X(0, curl_slist_append) \
    X(0, curl_slist_free_all) \
    X(0, curl_version_info) \
/* libxml2.so.2 */ \
    X(1, xmlFreeTextReader) \
    X(1, xmlGetLineNo) \
    X(1, xmlInitParser) \
    X(1, xmlReaderForFile) \
    X(1, xmlSetGenericErrorFunc) \
    X(1, xmlStrEqual) \
    X(1, xmlTextReaderConstLocalName) \
    X(1, xmlTextReaderConstName) \
    X(1, xmlTextReaderConstNamespaceUri) \
    X(1, xmlTextReaderConstString) \
    X(1, xmlTextReaderConstValue) \
    X(1, xmlTextReaderCurrentNode) \
    X(1, xmlTextReaderDepth) \
    X(1, xmlTextReaderHasAttributes) \
    X(1, xmlTextReaderIsEmptyElement) \
    X(1, xmlTextReaderIsNamespaceDecl) \
    X(1, xmlTextReaderMoveToElement) \
    X(1, xmlTextReaderMoveToNextAttribute) \
    X(1, xmlTextReaderNodeType) \
    X(1, xmlTextReaderRead) \
    X(1, xmlTextReaderSetStructuredErrorHandler) \
/* libodbc.so.2 */ \
    X(2, SQLAllocHandle) \
    X(2, SQLBindCol) \
    X(2, SQLBindParameter) \
    X(2, SQLDataSources) \
    X(2, SQLDescribeColW) \
    X(2, SQLDisconnect) \
    X(2, SQLDriverConnectW) \
    X(2, SQLDrivers) \
    X(2, SQLEndTran) \
    X(2, SQLExecute) \
    X(2, SQLFetch) \
    X(2, SQLFreeHandle) \
    X(2, SQLFreeStmt) \
    X(2, SQLGetData) \
    X(2, SQLGetDiagRecW) \
    X(2, SQLNumResultCols) \
    X(2, SQLPrepareW) \
    X(2, SQLRowCount) \
    X(2, SQLSetConnectAttr) \
    X(2, SQLSetEnvAttr) \
    X(2, SQLSetPos) \
    X(2, SQLSetStmtAttr) \
/* libsqlite3.so.0 */ \
    X(3, sqlite3_aggregate_context) \
    X(3, sqlite3_backup_finish) \
    X(3, sqlite3_backup_init) \
    X(3, sqlite3_backup_pagecount) \
    X(3, sqlite3_backup_remaining) \
    X(3, sqlite3_backup_step) \
    X(3, sqlite3_bind_blob) \
    X(3, sqlite3_bind_double) \
    X(3, sqlite3_bind_int64) \
    X(3, sqlite3_bind_null) \
    X(3, sqlite3_bind_parameter_count) \
    X(3, sqlite3_bind_parameter_name) \
    X(3, sqlite3_bind_pointer) \
    X(3, sqlite3_bind_text) \
    X(3, sqlite3_busy_handler) \
    X(3, sqlite3_busy_timeout) \
    X(3, sqlite3_changes) \
    X(3, sqlite3_clear_bindings) \
    X(3, sqlite3_close) \
    X(3, sqlite3_close_v2) \
    X(3, sqlite3_column_blob) \
    X(3, sqlite3_column_bytes) \
    X(3, sqlite3_column_count) \
    X(3, sqlite3_column_double) \
    X(3, sqlite3_column_int64) \
    X(3, sqlite3_column_name) \
    X(3, sqlite3_column_text) \
    X(3, sqlite3_column_type) \
    X(3, sqlite3_commit_hook) \
    X(3, sqlite3_config) \
    X(3, sqlite3_create_collation_v2) \
    X(3, sqlite3_create_function_v2) \
    X(3, sqlite3_db_config) \
    X(3, sqlite3_db_handle) \
    X(3, sqlite3_db_release_memory) \
    X(3, sqlite3_errcode) \
    X(3, sqlite3_errmsg) \
    X(3, sqlite3_errstr) \
    X(3, sqlite3_expanded_sql) \
    X(3, sqlite3_extended_result_codes) \
    X(3, sqlite3_finalize) \
    X(3, sqlite3_free) \
    X(3, sqlite3_get_autocommit) \
    X(3, sqlite3_interrupt) \
    X(3, sqlite3_last_insert_rowid) \
    X(3, sqlite3_libversion_number) \
    X(3, sqlite3_limit) \
    X(3, sqlite3_next_stmt) \
    X(3, sqlite3_open_v2) \
    X(3, sqlite3_prepare_v2) \
    X(3, sqlite3_prepare_v3) \
    X(3, sqlite3_reset) \
    X(3, sqlite3_result_blob) \
    X(3, sqlite3_result_double) \
    X(3, sqlite3_result_error) \
    X(3, sqlite3_result_error_code) \
    X(3, sqlite3_result_int64) \
    X(3, sqlite3_result_null) \
    X(3, sqlite3_result_text) \
    X(3, sqlite3_rollback_hook) \
    X(3, sqlite3_set_authorizer) \
    X(3, sqlite3_sql) \
    X(3, sqlite3_step) \
    X(3, sqlite3_stmt_busy) \
    X(3, sqlite3_stmt_readonly) \
    X(3, sqlite3_stricmp) \
    X(3, sqlite3_total_changes) \
    X(3, sqlite3_trace_v2) \
    X(3, sqlite3_update_hook) \
    X(3, sqlite3_user_data) \
    X(3, sqlite3_value_blob) \
    X(3, sqlite3_value_bytes) \
    X(3, sqlite3_value_double) \
    X(3, sqlite3_value_int64) \
    X(3, sqlite3_value_text) \
    X(3, sqlite3_value_type) \
    X(3, sqlite3_wal_checkpoint_v2) \
    /* end */

static const char *const libraries[] = {"libcurl.so.4", "libxml2.so.2", "libodbc.so.2", "libsqlite3.so.0"};
static const char *const packages[] = {"libcurl4", "libxml2", "unixodbc", "libsqlite3-0"};
static void *handles[4];

struct almanac_lazy_symbol {
    const char *name;
    int library;
    void **slot;
};

/// Called by the trampoline with the symbol's entry; returns the function's address.
__attribute__((visibility("hidden"))) void *almanac_lazy_resolve(const struct almanac_lazy_symbol *symbol) {
    void *handle = __atomic_load_n(&handles[symbol->library], __ATOMIC_ACQUIRE);
    if (!handle) {
        handle = dlopen(libraries[symbol->library], RTLD_NOW | RTLD_GLOBAL);
        if (!handle) {
            fprintf(stderr, "almanac: cannot load %s (%s): install the package %s\n", libraries[symbol->library],
                    dlerror(), packages[symbol->library]);
            abort();
        }
        __atomic_store_n(&handles[symbol->library], handle, __ATOMIC_RELEASE);
    }
    void *function = dlsym(handle, symbol->name);
    if (!function) {
        fprintf(stderr, "almanac: %s has no function %s\n", libraries[symbol->library], symbol->name);
        abort();
    }
    __atomic_store_n(symbol->slot, function, __ATOMIC_RELEASE);
    return function;
}

// Saves the argument registers (integer, vector, and %al for variadic calls), resolves the entry
// in %r11, restores them and jumps to the function. At entry %rsp is 8 mod 16 (the caller's return
// address); seven pushes and 128 bytes keep the call to the resolver 16-byte aligned.
__asm__(".pushsection .text\n"
        ".p2align 4\n"
        ".type almanac_lazy_trampoline, @function\n"
        "almanac_lazy_trampoline:\n"
        "    pushq %rdi\n    pushq %rsi\n    pushq %rdx\n    pushq %rcx\n    pushq %r8\n    pushq %r9\n    pushq %rax\n"
        "    subq $128, %rsp\n"
        "    movdqu %xmm0, 0(%rsp)\n    movdqu %xmm1, 16(%rsp)\n    movdqu %xmm2, 32(%rsp)\n"
        "    movdqu %xmm3, 48(%rsp)\n    movdqu %xmm4, 64(%rsp)\n    movdqu %xmm5, 80(%rsp)\n"
        "    movdqu %xmm6, 96(%rsp)\n    movdqu %xmm7, 112(%rsp)\n"
        "    movq %r11, %rdi\n"
        "    call almanac_lazy_resolve\n"
        "    movq %rax, %r11\n"
        "    movdqu 0(%rsp), %xmm0\n    movdqu 16(%rsp), %xmm1\n    movdqu 32(%rsp), %xmm2\n"
        "    movdqu 48(%rsp), %xmm3\n    movdqu 64(%rsp), %xmm4\n    movdqu 80(%rsp), %xmm5\n"
        "    movdqu 96(%rsp), %xmm6\n    movdqu 112(%rsp), %xmm7\n"
        "    addq $128, %rsp\n"
        "    popq %rax\n    popq %r9\n    popq %r8\n    popq %rcx\n    popq %rdx\n    popq %rsi\n    popq %rdi\n"
        "    jmp *%r11\n"
        ".size almanac_lazy_trampoline, .-almanac_lazy_trampoline\n"
        ".popsection\n");

// Per function: the exported stub, its slot (first pointing at its resolving entry) and the entry.
#define ALMANAC_LAZY_STUB(library, name)                                                                   \
    __asm__(".pushsection .text\n"                                                                         \
            ".globl " #name "\n"                                                                           \
            ".hidden " #name "\n"                                                                          \
            ".type " #name ", @function\n"                                                                 \
            ".p2align 3\n" #name ":\n"                                                                     \
            "    jmp *almanac_lazy_slot_" #name "(%rip)\n"                                                 \
            "almanac_lazy_init_" #name ":\n"                                                               \
            "    leaq almanac_lazy_entry_" #name "(%rip), %r11\n"                                          \
            "    jmp almanac_lazy_trampoline\n"                                                            \
            ".size " #name ", .-" #name "\n"                                                               \
            ".popsection\n"                                                                                \
            ".pushsection .data\n"                                                                         \
            ".p2align 3\n"                                                                                 \
            ".globl almanac_lazy_slot_" #name "\n"                                                         \
            ".hidden almanac_lazy_slot_" #name "\n"                                                        \
            "almanac_lazy_slot_" #name ":\n"                                                               \
            "    .quad almanac_lazy_init_" #name "\n"                                                      \
            ".popsection\n");                                                                              \
    extern void *almanac_lazy_slot_##name __attribute__((visibility("hidden")));                           \
    __attribute__((visibility("hidden"), used)) const struct almanac_lazy_symbol almanac_lazy_entry_##name = { \
        #name, library, &almanac_lazy_slot_##name};

ALMANAC_LAZY_SYMBOLS(ALMANAC_LAZY_STUB)

#endif
