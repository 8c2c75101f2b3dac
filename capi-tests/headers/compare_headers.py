#!/usr/bin/env python3
"""Proves that our headers in include/ match Pacific's (librbd-dev, librados-dev).

Checks, each against the upstream headers in /usr/include:
  1. prototypes: GCC's -aux-info declarations are equal (top-level qualifiers aside),
     and every upstream prototype re-declared after our header compiles (C rejects a
     conflicting redeclaration);
  2. structs: sizeof, alignment, and every field's offset and size;
  3. enums: every enumerator's value, and every typedef'd enum's size;
  4. macros: the same object-like macros with equal value and C type, strings
     byte-equal, function-like macros equal on sample arguments;
  5. C++: our headers compile as C++ with extern "C" linkage.
Exit status 0 when all hold; each difference is printed.
"""

import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OURS = os.path.abspath(os.path.join(HERE, "..", "..", "include"))
UPSTREAM = "/usr/include"
HEADERS = ["rbd/librbd.h", "rbd/features.h", "rados/librados.h", "rados/rados_types.h"]
SYSTEM_HEADERS = ["netinet/in.h", "linux/types.h", "stdbool.h", "string.h", "sys/uio.h",
                  "unistd.h", "sys/time.h", "stdint.h", "stddef.h", "stdlib.h", "stdarg.h"]

failures = []


def fail(msg):
    failures.append(msg)
    print("DIFF:", msg)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def include_flags(root):
    # our headers must win over /usr/include for the ceph ones; -nostdinc is not used,
    # so put our root first. For upstream, /usr/include is already the default.
    return [] if root == UPSTREAM else ["-I", root]


def tu(root, extra="", lang="c"):
    text = "".join(f"#include <{h}>\n" for h in HEADERS) + extra
    return text


def compile_c(root, source, out_exe=None, lang="c", extra_flags=()):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t." + ("cc" if lang == "c++" else "c"))
        open(src, "w").write(source)
        compiler = "g++" if lang == "c++" else "gcc"
        cmd = [compiler, "-std=gnu11" if lang == "c" else "-std=gnu++17", "-Wall", "-Werror",
               "-Wno-deprecated-declarations", *include_flags(root), *extra_flags, src]
        if out_exe:
            cmd += ["-o", out_exe]
        else:
            cmd += ["-c", "-o", os.path.join(d, "t.o")]
        r = subprocess.run(cmd, capture_output=True, text=True)
        return r


def run_program(root, source):
    with tempfile.TemporaryDirectory() as d:
        exe = os.path.join(d, "t")
        r = compile_c(root, source, out_exe=exe)
        if r.returncode != 0:
            raise RuntimeError(f"compile failed against {root}:\n{r.stderr[:4000]}")
        return run([exe]).stdout


# ---------------------------------------------------------------- prototypes
def aux_info(root):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t.c")
        aux = os.path.join(d, "t.aux")
        open(src, "w").write(tu(root))
        run(["gcc", "-c", *include_flags(root), src, "-o", os.path.join(d, "t.o"), "-aux-info", aux])
        protos = {}
        for line in open(aux):
            line = re.sub(r"^/\*.*?\*/\s*", "", line.strip())
            m = re.match(r"^extern (.*?)\b((?:rbd|rados)_\w+) \((.*)\);$", line)
            if m:
                protos[m.group(2)] = (m.group(1).strip(), normalize_params(m.group(3)))
        return protos


def normalize_params(params):
    out = []
    for p in split_top(params):
        p = p.strip()
        if "*" in p:
            p = re.sub(r"\s*const\s*$", "", p)      # top-level const of a pointer parameter
        else:
            p = re.sub(r"^const\s+", "", p)         # top-level const of a value parameter
        p = re.sub(r"\s+", " ", p)
        out.append(p)
    return tuple(out)


def split_top(s):
    depth, cur, out = 0, "", []
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return out


def check_prototypes():
    up, ours = aux_info(UPSTREAM), aux_info(OURS)
    for name in sorted(set(up) | set(ours)):
        if name not in ours:
            fail(f"prototype missing: {name}")
        elif name not in up:
            fail(f"extra prototype: {name}")
        elif up[name] != ours[name]:
            fail(f"prototype differs: {name}: upstream {up[name]} ours {ours[name]}")
    # Re-declare upstream's prototypes after our header: conflicting types do not compile.
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t.c")
        aux = os.path.join(d, "t.aux")
        open(src, "w").write(tu(UPSTREAM))
        run(["gcc", "-c", src, "-o", os.path.join(d, "t.o"), "-aux-info", aux])
        decls = [re.sub(r"^/\*.*?\*/\s*", "", l.strip()) for l in open(aux)
                 if re.search(r"\b(rbd|rados)_\w+ \(", l)]
    r = compile_c(OURS, tu(OURS) + "\n".join(decls) + "\n")
    if r.returncode != 0:
        fail("upstream prototypes conflict with ours:\n" + r.stderr[:3000])
    print(f"prototypes: {len(up)} upstream, {len(ours)} ours")


# ---------------------------------------------------------------- structs / enums
def preprocessed(root):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t.c")
        open(src, "w").write(tu(root))
        return run(["gcc", "-E", "-P", *include_flags(root), src]).stdout


def ceph_only(root):
    """The preprocessed declarations that come from the ceph headers themselves."""
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t.c")
        open(src, "w").write(tu(root))
        text = run(["gcc", "-E", *include_flags(root), src]).stdout
    keep, out = False, []
    for line in text.splitlines():
        m = re.match(r'^# \d+ "([^"]+)"', line)
        if m:
            keep = "/rbd/" in m.group(1) or "/rados/" in m.group(1)
        elif keep:
            out.append(line)
    return "\n".join(out)


def upstream_structs():
    text = ceph_only(UPSTREAM)
    text = re.sub(r"__attribute__\s*\(\(.*?\)\)", "", text)
    structs = {}
    for m in re.finditer(r"typedef struct\s*\{([^{}]*)\}\s*(\w+)\s*;", text):
        structs[m.group(2)] = fields(m.group(1))
    for m in re.finditer(r"(?<!typedef )struct (\w+)\s*\{([^{}]*)\}\s*;", text):
        structs["struct " + m.group(1)] = fields(m.group(2))
    return structs


def fields(body):
    names = []
    for decl in body.split(";"):
        decl = decl.strip()
        if not decl:
            continue
        m = re.search(r"(\w+)\s*(\[[^\]]*\])?\s*$", decl)
        names.append(m.group(1))
    return names


def upstream_enums():
    text = ceph_only(UPSTREAM)
    enumerators, typedefs = [], []
    for m in re.finditer(r"(typedef\s+)?enum\s*\w*\s*\{([^{}]*)\}\s*(\w*)\s*;", text):
        for item in m.group(2).split(","):
            item = item.strip()
            if item:
                enumerators.append(item.split("=")[0].strip())
        if m.group(1) and m.group(3):
            typedefs.append(m.group(3))
    return enumerators, typedefs


def check_layouts():
    structs = upstream_structs()
    enumerators, enum_typedefs = upstream_enums()
    lines = ["#include <stdio.h>", "#include <stddef.h>", "int main(void) {"]
    for t, fs in sorted(structs.items()):
        lines.append(f'printf("{t} size %zu align %zu\\n", sizeof({t}), _Alignof({t}));')
        for f in fs:
            lines.append(f'printf("{t}.{f} offset %zu size %zu\\n", offsetof({t}, {f}), sizeof((({t}*)0)->{f}));')
    for e in enumerators:
        lines.append(f'printf("enum {e} = %lld\\n", (long long){e});')
    for t in enum_typedefs:
        lines.append(f'printf("enum type {t} size %zu signed %d\\n", sizeof({t}), ({t})-1 < 0);')
    lines += ["return 0; }"]
    src = tu(None) + "\n".join(lines) + "\n"
    up, ours = run_program(UPSTREAM, src), run_program(OURS, src)
    compare_outputs("layout", up, ours)
    print(f"layouts: {len(structs)} structs, {len(enumerators)} enumerators, {len(enum_typedefs)} enum types")


def compare_outputs(what, up, ours):
    u, o = up.splitlines(), ours.splitlines()
    for a, b in zip(u, o):
        if a != b:
            fail(f"{what}: upstream '{a}' ours '{b}'")
    if len(u) != len(o):
        fail(f"{what}: {len(u)} lines upstream, {len(o)} ours")


# ---------------------------------------------------------------- macros
def macros(root):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t.c")
        open(src, "w").write(tu(root))
        out = run(["gcc", "-dM", "-E", *include_flags(root), src]).stdout
    sysout = run(["gcc", "-dM", "-E", "-"], input="".join(f"#include <{h}>\n" for h in SYSTEM_HEADERS)).stdout
    system = {l.split()[1].split("(")[0] for l in sysout.splitlines() if l.startswith("#define ")}
    result = {}
    for l in out.splitlines():
        m = re.match(r"#define (\w+)(\([^)]*\))?\s*(.*)$", l)
        if m and m.group(1) not in system:
            result[m.group(1)] = (m.group(2), m.group(3))
    return result


GUARDS = {"CEPH_LIBRBD_H", "CEPH_LIBRADOS_H", "CEPH_RBD_FEATURES_H", "CEPH_RADOS_TYPES_H", "VOIDPTR_RADOS_T"}


def check_macros():
    up, ours = macros(UPSTREAM), macros(OURS)
    for name in sorted(set(up) - set(ours)):
        fail(f"macro missing: {name}")
    enumerators, _ = upstream_enums()
    for name in sorted(set(ours) - set(up) - set(enumerators)):
        fail(f"extra macro: {name}")  # (upstream enumerators may be macros here: values checked with the enums)
    value_lines = ["#include <stdio.h>", "#include <string.h>",
                   "#define TYPE(x) _Generic((x), int: \"int\", unsigned int: \"unsigned int\", long: \"long\", "
                   "unsigned long: \"unsigned long\", long long: \"long long\", unsigned long long: "
                   "\"unsigned long long\", char *: \"string\", const char *: \"string\", default: \"other\")",
                   "int main(void) {"]
    for name, (params, body) in sorted(up.items()):
        if name not in ours or name in GUARDS or name.startswith("CEPH_RBD_") and name in ("CEPH_RBD_API", "CEPH_RBD_DEPRECATED"):
            continue
        if name in ("CEPH_RADOS_API",):
            if ours[name] != up[name]:
                fail(f"macro {name}: upstream {up[name]} ours {ours[name]}")
            continue
        if params:
            args = ", ".join(str(i + 3) for i in range(params.count(",") + 1))
            value_lines.append(f'printf("{name}({args}) = %lld\\n", (long long){name}({args}));')
        elif body.startswith('"'):
            value_lines.append(f'printf("{name} = string len %zu:", sizeof({name}) - 1); '
                               f'for (size_t i = 0; i < sizeof({name}) - 1; i++) printf(" %02x", (unsigned char){name}[i]); printf("\\n");')
        elif body:
            value_lines.append(f'printf("{name} = %s %llu\\n", TYPE({name}), (unsigned long long){name});')
    value_lines.append("return 0; }")
    src = tu(None) + "\n".join(value_lines) + "\n"
    compare_outputs("macro", run_program(UPSTREAM, src), run_program(OURS, src))
    print(f"macros: {len(up)} upstream, {len(ours)} ours")


# ---------------------------------------------------------------- C++
def check_cplusplus():
    src = tu(OURS) + "int main() { int a, b, c; rbd_version(&a, &b, &c); rados_version(&a, &b, &c); return a; }\n"
    r = compile_c(OURS, src, lang="c++")
    if r.returncode != 0:
        fail("headers do not compile as C++:\n" + r.stderr[:2000])


def main():
    for h in HEADERS:
        for root in (UPSTREAM, OURS):
            if not os.path.exists(os.path.join(root, h)):
                print(f"missing {os.path.join(root, h)} (install librbd-dev librados-dev)")
                return 2
    check_prototypes()
    check_layouts()
    check_macros()
    check_cplusplus()
    if failures:
        print(f"FAIL: {len(failures)} differences")
        return 1
    print("headers match Pacific 16.2")
    return 0


if __name__ == "__main__":
    sys.exit(main())
