"""What the behaviour suites share: recording observations, naming errors,
and comparing a run with the upstream reference.

A suite is a list of cases; each case records observations (`rec(label,
value)`) and may assert properties that must hold whatever upstream says
(`rec.check`). Upstream's libraries on a real cluster give the reference file;
every run under either library compares with it.
"""

import datetime
import difflib
import errno
import time
import traceback
import zlib


class Failure(Exception):
    pass


class Cases(list):
    """A suite's cases in definition order; use the instance as a decorator."""

    def __call__(self, fn):
        self.append(fn)
        return fn


class Recorder:
    """Collects the observations of one case."""

    def __init__(self, name):
        self.name = name
        self.lines = []

    def __call__(self, label, value):
        self.lines.append(f"{self.name}: {label} = {fmt(value)}")

    def check(self, cond, what):
        """A property that must hold whatever the reference says."""
        if not cond:
            raise Failure(f"{self.name}: check failed: {what}")


def fmt(v):
    if isinstance(v, bytes):
        return "b" + repr(v)[1:] if len(v) <= 64 else f"<{len(v)} bytes crc {zlib.crc32(v):08x}>"
    if isinstance(v, (list, tuple)):
        inner = ", ".join(fmt(x) for x in v)
        return f"[{inner}]" if isinstance(v, list) else f"({inner})"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{fmt(k)}: {fmt(v[k])}" for k in sorted(v)) + "}"
    return repr(v)


def err_name(code):
    code = abs(code)
    if code >= 4095:
        return f"MAX_ERRNO+{code - 4095}"
    return errno.errorcode.get(code, str(code))


def attempt(fn, *args, **kw):
    """The call's result, or `error ENAME` for an exception carrying an errno
    (rados.Error, rbd.Error, OSError), or `error TypeName` for the argument
    errors the bindings raise themselves."""
    try:
        return fn(*args, **kw)
    except (KeyError, TypeError, ValueError, AssertionError) as e:
        return f"error {type(e).__name__}"
    except Exception as e:  # noqa: BLE001 - the bindings' own error classes
        code = getattr(e, "errno", None)
        if code is not None:
            return f"error {err_name(code)}"
        if type(e).__module__ in ("rados", "rbd"):
            return f"error {type(e).__name__}"
        raise


def rc(r):
    """A C return code as a name (0 stays 0, positive values stay)."""
    return r if r >= 0 else f"-{err_name(r)}"


def recent(t, slack=120):
    if isinstance(t, time.struct_time):
        t = time.mktime(t)
    elif isinstance(t, datetime.datetime):
        t = t.timestamp()
    return abs(t - time.time()) < slack


def run_cases(cases, env, only=None):
    """Runs the cases; returns (observation lines, failure messages)."""
    lines, failures = [], []
    for fn in cases:
        if only and fn.__name__ not in only:
            continue
        rec = Recorder(fn.__name__)
        try:
            fn(env, rec)
        except Failure as e:
            failures.append(str(e))
        except Exception:
            failures.append(f"{fn.__name__}: crashed:\n{traceback.format_exc()}")
        lines.extend(rec.lines)
    return lines, failures


def report(title, lines, failures, ncases, record=None, expect=None, only=None):
    """Writes the reference (`record`) or compares with it (`expect`); prints
    the outcome and returns the exit status."""
    if record:
        with open(record, "w") as f:
            f.write("\n".join(lines) + "\n")
    status = 0
    if expect:
        with open(expect) as f:
            want = f.read().splitlines()
        if only:
            want = [w for w in want if w.split(":")[0] in only]
        diff = list(difflib.unified_diff(want, lines, "upstream", "this run", lineterm="", n=0))
        if diff:
            changed = sum(1 for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---"))
            print(f"FAIL: {changed} lines differ from upstream:")
            print("\n".join(diff[:200]))
            status = 1
    for f in failures:
        print("FAIL:", f)
        status = 1
    if status == 0:
        print(f"{title}: {len(lines)} observations in {ncases} cases" + (", equal to upstream's" if expect else ""))
    return status
