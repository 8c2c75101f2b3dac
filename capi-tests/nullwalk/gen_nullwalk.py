#!/usr/bin/env python3
"""Generates nullwalk.c: every exported function, called once per pointer argument
with that argument NULL and the others valid, each call in a forked child.

  gen_nullwalk.py INCLUDE_DIR ENOSYS_LIST > nullwalk.c

Expectations checked by the generated program:
  - no call crashes (signal) or hangs (5 s);
  - a function returning int/ssize_t/int64_t returns a negative errno for the NULL,
    unless NULL_ALLOWED says upstream accepts NULL there;
  - with every argument valid, a function in ENOSYS_LIST returns -ENOSYS and any
    other int-returning function returns something else (the status table is true).
Valid handles come from the library itself (a cluster handle on a local store when
CEPHRS_NULLWALK_STORE is set, completions, image options…); handles the build
cannot make yet are a forged value, which must give -EBADF rather than a crash.
"""

import os
import re
import subprocess
import sys
import tempfile

HEADERS = ["rbd/librbd.h", "rados/librados.h"]

# (function, parameter index) where NULL is valid input (upstream semantics).
NULL_ALLOWED = {
    ("rados_create", 1): "NULL id means client.admin",
    ("rados_create2", 1): "NULL cluster name: taken from the configuration file",
    ("rados_conf_read_file", 1): "NULL path: $CEPH_CONF or the default locations",
    ("rados_conf_parse_env", 1): "NULL variable: CEPH_ARGS",
    ("rados_aio_create_completion", 0): "callback argument is opaque",
    ("rados_aio_create_completion", 1): "no complete callback",
    ("rados_aio_create_completion", 2): "no safe callback",
    ("rados_aio_create_completion2", 0): "callback argument is opaque",
    ("rados_aio_create_completion2", 1): "no callback",
    ("rbd_aio_create_completion", 0): "callback argument is opaque",
    ("rbd_aio_create_completion", 1): "no callback",
    ("rados_stat", 2): "NULL size: not wanted",
    ("rados_stat", 3): "NULL mtime: not wanted",
    ("rados_aio_stat", 3): "NULL size: not wanted",
    ("rados_aio_stat", 4): "NULL mtime: not wanted",
    ("rados_write_op_operate", 3): "NULL mtime: now",
    ("rados_write_op_operate2", 3): "NULL mtime: now",
    ("rados_aio_write_op_operate", 4): "NULL mtime: now",
    ("rados_notify2", 5): "NULL reply buffer: not wanted",
    ("rados_notify2", 6): "NULL reply length: not wanted",
    ("rados_aio_notify", 6): "NULL reply buffer: not wanted",
    ("rados_aio_notify", 7): "NULL reply length: not wanted",
    ("rados_watch", 5): "callback argument is opaque",
    ("rados_watch2", 4): "no error callback",
    ("rados_watch2", 5): "callback argument is opaque",
    ("rados_watch3", 4): "no error callback",
    ("rados_watch3", 6): "callback argument is opaque",
    ("rados_aio_watch", 5): "no error callback",
    ("rados_aio_watch", 6): "callback argument is opaque",
    ("rados_aio_watch2", 5): "no error callback",
    ("rados_aio_watch2", 7): "callback argument is opaque",
    ("rados_application_metadata_list", 2): "a NULL buffer of length 0 (nothing to list)",
    ("rados_application_metadata_list", 4): "a NULL buffer of length 0 (nothing to list)",
    ("rbd_metadata_list", 3): "a NULL buffer of length 0 (nothing to list)",
    ("rbd_metadata_list", 5): "a NULL buffer of length 0 (nothing to list)",
    ("rbd_resize2", 4): "callback argument is opaque",
    ("rbd_resize_with_progress", 3): "callback argument is opaque",
    ("rbd_remove_with_progress", 3): "callback argument is opaque",
    ("rbd_open", 3): "NULL snapshot name: the image head",
    ("rbd_open_by_id", 3): "NULL snapshot name: the image head",
    ("rbd_open_read_only", 3): "NULL snapshot name: the image head",
    ("rbd_open_by_id_read_only", 3): "NULL snapshot name: the image head",
    ("rbd_aio_open", 3): "NULL snapshot name: the image head",
    ("rbd_aio_open_by_id", 3): "NULL snapshot name: the image head",
    ("rbd_aio_open_read_only", 3): "NULL snapshot name: the image head",
    ("rbd_aio_open_by_id_read_only", 3): "NULL snapshot name: the image head",
    ("rbd_snap_set", 1): "NULL snapshot name: the image head",
    ("rbd_diff_iterate", 1): "NULL start snapshot: since the image was made",
    ("rbd_diff_iterate", 5): "callback argument is opaque",
    ("rbd_diff_iterate2", 1): "NULL start snapshot: since the image was made",
    ("rbd_diff_iterate2", 7): "callback argument is opaque",
    ("rbd_snap_create2", 3): "the progress callback is never called (no quiesce here)",
    ("rbd_snap_create2", 4): "callback argument is opaque",
    ("rbd_snap_remove2", 3): "the progress callback is never called (no clones to flatten)",
    ("rbd_snap_remove2", 4): "callback argument is opaque",
    ("rbd_snap_rollback_with_progress", 3): "callback argument is opaque",
}

# Valid values that the generic rules cannot guess.
VALID_OVERRIDES = {
    ("rados_buffer_free", 0): "malloc(16)",
    # frees what rados_decode_notify_response allocated: nothing here
    ("rados_free_notify_response", 0): "NULL",
    ("rados_free_notify_response", 1): "0",
    ("rados_free_notify_response", 2): "NULL",
    # frees the strings rbd_lock_get_owners filled: none here (a cleared array)
    ("rbd_lock_get_owners_cleanup", 0): "(char **)calloc(8, sizeof(char *))",
    ("rbd_lock_get_owners_cleanup", 1): "8",
}

HANDLE_VALUES = {
    "rados_t": "h_cluster",
    "rados_config_t": "h_cct",
    "rados_ioctx_t": "h_ioctx",
    "rados_completion_t": "h_rados_completion",
    "rados_write_op_t": "h_write_op",
    "rados_read_op_t": "h_read_op",
    "rados_list_ctx_t": "FORGED",
    "rados_object_list_cursor": "FORGED",
    "rados_xattrs_iter_t": "FORGED",
    "rados_omap_iter_t": "FORGED",
    "rbd_image_t": "h_image",
    "rbd_image_options_t": "h_image_options",
    "rbd_pool_stats_t": "FORGED",
    "rbd_completion_t": "h_rbd_completion",
    "rbd_encryption_options_t": "(void *)scratch",
}
CALLBACKS = {
    "rados_callback_t": "void cb_rados_callback(rados_completion_t c, void *a) { (void)c; (void)a; }",
    "rados_watchcb_t": "void cb_rados_watchcb(uint8_t o, uint64_t v, void *a) { (void)o; (void)v; (void)a; }",
    "rados_watchcb2_t": "void cb_rados_watchcb2(void *a, uint64_t n, uint64_t h, uint64_t i, void *d, size_t l) "
                        "{ (void)a; (void)n; (void)h; (void)i; (void)d; (void)l; }",
    "rados_watcherrcb_t": "void cb_rados_watcherrcb(void *p, uint64_t c, int e) { (void)p; (void)c; (void)e; }",
    "rados_log_callback_t": "void cb_rados_log_callback(void *a, const char *l, const char *w, uint64_t s, "
                            "uint64_t n, uint64_t q, const char *v, const char *m) "
                            "{ (void)a; (void)l; (void)w; (void)s; (void)n; (void)q; (void)v; (void)m; }",
    "rados_log_callback2_t": "void cb_rados_log_callback2(void *a, const char *l, const char *c, const char *w, "
                             "const char *n, uint64_t s, uint64_t ns, uint64_t q, const char *v, const char *m) "
                             "{ (void)a; (void)l; (void)c; (void)w; (void)n; (void)s; (void)ns; (void)q; (void)v; (void)m; }",
    "rbd_callback_t": "void cb_rbd_callback(rbd_completion_t c, void *a) { (void)c; (void)a; }",
    "librbd_progress_fn_t": "int cb_librbd_progress_fn(uint64_t o, uint64_t t, void *p) { (void)o; (void)t; (void)p; return 0; }",
    "rbd_update_callback_t": "void cb_rbd_update_callback(void *a) { (void)a; }",
}
INLINE_CALLBACKS = {
    "int (*)(uint64_t, size_t, const char *, void *)":
        "int cb_iterate(uint64_t o, size_t l, const char *b, void *a) { (void)o; (void)l; (void)b; (void)a; return 0; }",
    "int (*)(uint64_t, size_t, int, void *)":
        "int cb_diff(uint64_t o, size_t l, int e, void *a) { (void)o; (void)l; (void)e; (void)a; return 0; }",
}
INT_RETURNS = {"int", "ssize_t", "int64_t"}


def prototypes(include):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t.c")
        aux = os.path.join(d, "t.aux")
        open(src, "w").write("".join(f"#include <{h}>\n" for h in HEADERS))
        subprocess.run(["gcc", "-c", "-I", include, src, "-o", os.path.join(d, "t.o"), "-aux-info", aux], check=True)
        out = []
        for line in open(aux):
            line = re.sub(r"^/\*.*?\*/\s*", "", line.strip())
            m = re.match(r"^extern (.*?)\b((?:rbd|rados)_\w+) \((.*)\);$", line)
            if m:
                out.append((m.group(2), m.group(1).strip(), split_params(m.group(3))))
        return out


def split_params(s):
    if s.strip() == "void":
        return []
    depth, cur, out = 0, "", []
    for ch in s:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def is_pointer(t):
    base = re.sub(r"\bconst\b", "", t).strip()
    return "*" in t or base in HANDLE_VALUES or base in CALLBACKS


def valid_value(t):
    base = re.sub(r"\bconst\b", "", t).strip()
    if base in HANDLE_VALUES:
        return HANDLE_VALUES[base]
    if base in CALLBACKS:
        return "cb_" + base[:-2]
    t = t.replace("(*) (", "(*)(")
    if t in INLINE_CALLBACKS:
        return "cb_iterate" if "const char" in t else "cb_diff"
    if "(*)" in t:
        raise SystemExit(f"unknown callback type {t}")
    if re.fullmatch(r"(const )?char \*", t):
        # an output buffer (writable), or an input string
        return "(char *)scratch" if "const" not in t else '"x"'
    if "const char *const *" in t or t == "const char **" or t == "char **":
        return "(void *)strs"
    if "iovec" in t:
        return "(void *)iov"
    if "*" in t:
        return "(void *)scratch"
    if base in ("float", "double"):
        return "0"
    if base == "bool":
        return "false"
    return "1"


def main():
    include, enosys_path = sys.argv[1], sys.argv[2]
    enosys = set(open(enosys_path).read().split())
    protos = prototypes(include)
    cases = []  # (function, param index or -1, returns int, allowed)
    lines = []
    for name, ret, params in protos:
        args_valid = [VALID_OVERRIDES.get((name, i)) or valid_value(p) for i, p in enumerate(params)]
        int_ret = ret in INT_RETURNS
        variants = [(-1, args_valid)]
        for i, p in enumerate(params):
            if is_pointer(p):
                a = list(args_valid)
                a[i] = "NULL"
                variants.append((i, a))
        for idx, args in variants:
            n = len(cases)
            call = f"{name}({', '.join(args)})"
            if ret == "void":
                body = f"{call}; return 0;"
            elif int_ret:
                body = f"return (long long){call};"
            else:
                body = f"(void){call}; return 0;"
            lines.append(f"static long long case_{n}(void) {{ {body} }}")
            expect = "EXPECT_NOTHING"
            if idx == -1 and int_ret:
                expect = "EXPECT_ENOSYS" if name in enosys else "EXPECT_NOT_ENOSYS"
            elif idx >= 0 and int_ret and name not in enosys:
                expect = "EXPECT_NOTHING" if (name, idx) in NULL_ALLOWED else "EXPECT_ERROR"
            elif idx >= 0 and int_ret:
                expect = "EXPECT_ENOSYS"
            cases.append((name, idx, expect))
    print(PRELUDE)
    for cb in list(CALLBACKS.values()) + list(INLINE_CALLBACKS.values()):
        print("static " + cb)
    print("\n".join(lines))
    print("static const struct test_case cases[] = {")
    for n, (name, idx, expect) in enumerate(cases):
        print(f'  {{ "{name}", {idx}, {expect}, case_{n} }},')
    print("};")
    print(MAIN)


PRELUDE = r"""/* Generated by capi-tests/nullwalk/gen_nullwalk.py; do not edit. */
#define _GNU_SOURCE
#include <rbd/librbd.h>
#include <rados/librados.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

enum expectation { EXPECT_NOTHING, EXPECT_ERROR, EXPECT_ENOSYS, EXPECT_NOT_ENOSYS };
struct test_case { const char *name; int null_param; enum expectation expect; long long (*run)(void); };

#define FORGED ((void *)0x7f00000000001234ull)
static _Alignas(64) char scratch[65536];
static char bufs[8][4096];
static const char *strs[8] = { "x", "x", "x", "x", "x", "x", "x", "x" };
static struct iovec iov[4];
static rados_t h_cluster = FORGED;
static rados_config_t h_cct = FORGED;
static rados_ioctx_t h_ioctx = FORGED;
static rados_completion_t h_rados_completion = FORGED;
static rados_write_op_t h_write_op = FORGED;
static rados_read_op_t h_read_op = FORGED;
static rbd_image_t h_image = FORGED;
static rbd_image_options_t h_image_options = FORGED;
static rbd_completion_t h_rbd_completion = FORGED;

/* Make the valid handles this build can make; each child does this afresh. */
static void setup(void)
{
  for (int i = 0; i < 4; i++) { iov[i].iov_base = bufs[i]; iov[i].iov_len = 16; }
  rados_t c;
  if (rados_create(&c, NULL) == 0) { h_cluster = c; h_cct = rados_cct(c); }
  const char *store = getenv("CEPHRS_NULLWALK_STORE");
  if (store && h_cluster != FORGED) {
    rados_conf_set(h_cluster, "rados_local_store", store);
    if (rados_connect(h_cluster) == 0) {
      rados_pool_create(h_cluster, "nullwalk");
      rados_ioctx_t io;
      if (rados_ioctx_create(h_cluster, "nullwalk", &io) == 0) h_ioctx = io;
    }
  }
  rados_completion_t rc;
  if (rados_aio_create_completion2(NULL, NULL, &rc) == 0) h_rados_completion = rc;
  rados_write_op_t w = rados_create_write_op();
  if (w) h_write_op = w;
  rados_read_op_t r = rados_create_read_op();
  if (r) h_read_op = r;
  rbd_completion_t bc;
  if (rbd_aio_create_completion(NULL, NULL, &bc) == 0) h_rbd_completion = bc;
  rbd_image_options_t o = NULL;
  rbd_image_options_create(&o);
  if (o) h_image_options = o;
  if (h_ioctx != FORGED) {
    int order = 0;
    rbd_create(h_ioctx, "x", 1 << 20, &order);
    rbd_image_t img;
    if (rbd_open(h_ioctx, "x", &img, NULL) == 0) h_image = img;
  }
}
"""

MAIN = r"""
int main(void)
{
  int n = sizeof(cases) / sizeof(cases[0]), failures = 0, by_kind[4] = {0};
  for (int i = 0; i < n; i++) {
    const struct test_case *t = &cases[i];
    int fds[2];
    if (pipe(fds) != 0) { perror("pipe"); return 2; }
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      alarm(5);
      setup();
      long long r = t->run();
      if (write(fds[1], &r, sizeof r) != sizeof r) _exit(3);
      _exit(0);
    }
    close(fds[1]);
    long long r = 0;
    ssize_t got = read(fds[0], &r, sizeof r);
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    const char *problem = NULL;
    char detail[128] = "";
    if (WIFSIGNALED(status)) {
      problem = WTERMSIG(status) == SIGALRM ? "hung (5 s)" : "crashed";
      snprintf(detail, sizeof detail, "signal %d", WTERMSIG(status));
    } else if (got != sizeof r) {
      problem = "child failed";
    } else if (t->expect == EXPECT_ERROR && r >= 0) {
      problem = "accepted NULL"; snprintf(detail, sizeof detail, "returned %lld", r);
    } else if (t->expect == EXPECT_ENOSYS && r != -ENOSYS) {
      problem = "listed as -ENOSYS but"; snprintf(detail, sizeof detail, "returned %lld", r);
    } else if (t->expect == EXPECT_NOT_ENOSYS && r == -ENOSYS) {
      problem = "listed as implemented but returned -ENOSYS";
    }
    by_kind[t->expect]++;
    if (problem) {
      failures++;
      printf("FAIL %s (NULL argument %d): %s %s\n", t->name, t->null_param, problem, detail);
    }
  }
  printf("nullwalk: %d calls (%d must fail, %d -ENOSYS, %d implemented with valid arguments, %d no-crash only), %d failures\n",
         n, by_kind[EXPECT_ERROR], by_kind[EXPECT_ENOSYS], by_kind[EXPECT_NOT_ENOSYS], by_kind[EXPECT_NOTHING], failures);
  return failures ? 1 : 0;
}
"""

if __name__ == "__main__":
    main()
