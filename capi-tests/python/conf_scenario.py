#!/usr/bin/python3
"""Configuration behaviour, printed line by line; run under upstream's libraries and
ours, the outputs must be equal (capi-tests/compare.sh).

Covers rados_create2, rados_conf_get of every option's default, rados_conf_set with
valid and invalid values, rados_conf_read_file with upstream's grammar, sections and
cluster-name rules, rados_conf_parse_argv(_remainder) and rados_conf_parse_env.
"""
import os
import subprocess
import sys
import tempfile

import rados

out = []


def show(label, fn):
    try:
        result = fn()
        out.append(f"{label}: {result!r}")
    except rados.Error as e:
        out.append(f"{label}: error {type(e).__name__} errno {getattr(e, 'errno', None)}")


def handle(name="client.admin", cluster=None):
    return rados.Rados(name=name, clustername=cluster)


# every option's default, for two identities
names = sys.argv[1:] or [l.split(" = ")[0] for l in subprocess.run(
    ["ceph-conf", "--show-config", "-c", "/dev/null"], capture_output=True, text=True).stdout.splitlines()
    if " = " in l and not l.startswith(("name ", "cluster "))]
for ident in (("client.admin", None), ("client.rbdtest", "othercluster")):
    r = handle(*ident)
    for n in names:
        show(f"default {ident} {n}", lambda: r.conf_get(n))
    r.shutdown()

# set / get: valid and invalid values, key normalization
r = handle()
for key, value in [("rbd_cache", "false"), ("rbd_cache", "maybe"), ("rbd_cache", "0"), ("rbd cache", "1"),
                   ("rbd-cache", "true"), ("rbd_cache_size", "64K"), ("rbd_cache_size", "-5"),
                   ("rados_osd_op_timeout", "30s"), ("rados_osd_op_timeout", "2m"), ("client_mount_timeout", "x"),
                   ("debug_rbd", "20"), ("debug_rbd", "5/10"), ("debug_rbd", "100"), ("mon_host", "1.2.3.4:6789"),
                   ("fsid", "not-a-uuid"), ("fsid", "8d2c1b6d-0000-4000-8000-00000000abcd"),
                   ("rbd_default_order", "23"), ("osd_pool_default_size", "2"), ("no_such_option", "1"),
                   ("", "x"), ("ms_client_mode", "secure"), ("public_addr", "127.0.0.1:0"),
                   ("rbd_readahead_max_bytes", "1M"), ("objecter_inflight_ops", "1K")]:
    show(f"set {key!r}={value!r}", lambda: r.conf_set(key, value))
    show(f"  get {key!r}", lambda: r.conf_get(key))
show("get unknown", lambda: r.conf_get("no_such_option"))
r.shutdown()

# configuration files
d = tempfile.mkdtemp()
files = {
    "ceph.conf": "[global]\nmon host = 10.0.0.1\nrbd_cache = false\n[client]\nrados_osd_op_timeout = 5\n"
                 "[client.admin]\nrados_osd_op_timeout = 7\nkeyring = /k/$cluster.$name.keyring\n",
    "quoted.conf": "[global]\n\tkey = \"a b\" # c\n rbd_cache_size = '4096' ; c\n  log_file = /x/y\\\nz\n",
    "dash.conf": "[global]\nmon-host = 1.2.3.4\nrbd-cache = false\n",
    "bad1.conf": "[global\nrbd_cache = false\n",
    "bad2.conf": "[global]\nrbd_cache = \"a#b\"\n",
    "lone.conf": "rbd_cache = false\n",
    "lone2.conf": "rbd_cache = false\nx = 1\n",
    "empty.conf": "",
    "badvalue.conf": "[global]\nrbd_cache = maybe\nrbd_cache_size = 1M\n",
    "dup.conf": "[global]\nrbd_cache_size = 1\n[client]\nrbd_cache_size = 2\n[global]\nrbd_cache_size = 3\nrbd_cache_size = 4\n",
    "mycluster.conf": "[global]\nrbd_default_order = 20\n",
}
for fname, text in files.items():
    open(os.path.join(d, fname), "w").write(text)
for fname in list(files) + ["missing.conf"]:
    for ident in (("client.admin", None), ("client.other", None)):
        r = handle(*ident)
        show(f"read {fname} {ident}", lambda: r.conf_read_file(os.path.join(d, fname)))
        for k in ("mon_host", "rbd_cache", "rados_osd_op_timeout", "keyring", "key", "rbd_cache_size", "log_file",
                  "rbd_default_order"):
            show(f"  {k}", lambda: r.conf_get(k))
        r.shutdown()
r = handle()
show("read list", lambda: r.conf_read_file(f"{d}/missing.conf, {d}/mycluster.conf,{d}/ceph.conf"))
show("  keyring via list", lambda: r.conf_get("keyring"))
show("  order via list", lambda: r.conf_get("rbd_default_order"))
r.shutdown()
r = handle()
r.conf_set("rbd_cache_size", "12345")
show("override beats file", lambda: (r.conf_read_file(f"{d}/dup.conf"), r.conf_get("rbd_cache_size")))
r.shutdown()

# argv
r = handle()
show("argv remainder", lambda: r.conf_parse_argv([
    "prog", "--rbd-cache", "false", "-m", "1.2.3.4", "--no-rbd_cache_writethrough_until_flush", "--rbd_cache_size=1K",
    "--unknown", "x", "--log_to_stderr", "--rbd_readahead_disable_after_bytes", "7", "-k", "/kr", "--",
    "--keyring", "k"]))
for k in ("rbd_cache", "mon_host", "rbd_cache_writethrough_until_flush", "rbd_cache_size", "log_to_stderr",
          "rbd_readahead_disable_after_bytes", "keyring"):
    show(f"  {k}", lambda: r.conf_get(k))
show("argv bad bool", lambda: r.conf_parse_argv(["prog", "--rbd_cache=maybe"]))
show("argv bad value", lambda: r.conf_parse_argv(["prog", "--rbd_cache_size", "lots"]))
show("argv bool then option", lambda: r.conf_parse_argv(["prog", "--rbd_cache", "--rbd_cache_size", "2K"]))
show("  rbd_cache_size", lambda: r.conf_get("rbd_cache_size"))
r.shutdown()

# environment
r = handle()
os.environ["MY_ARGS"] = "--rbd_default_order 21 --keyring '/a b' --rbd_cache=false"
show("env MY_ARGS", lambda: r.conf_parse_env("MY_ARGS"))
for k in ("rbd_default_order", "keyring", "rbd_cache"):
    show(f"  {k}", lambda: r.conf_get(k))
r.shutdown()
# CEPH_ARGS at creation, in a fresh process (upstream reads the arguments variable
# once per process: the first variable read wins, a quirk we do not copy)
child = subprocess.run([sys.executable, "-c", "import rados; r = rados.Rados(name='client.admin'); "
                        "print(r.conf_get('rbd_default_features'), r.conf_get('rbd_cache'))"],
                       env=dict(os.environ, CEPH_ARGS="--rbd_default_features 1 --no-rbd_cache"),
                       capture_output=True, text=True)
out.append(f"CEPH_ARGS applied at create: {child.stdout.strip()} {child.returncode}")

print("\n".join(out))
