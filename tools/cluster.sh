#!/bin/sh
# A throw-away Ceph Pacific cluster on 127.0.0.1 for the tests: 1 mon, 1 mgr,
# memstore OSDs, cephx, pool "rbd". Nothing listens beyond loopback; nothing is
# written outside DIR.
#
#   tools/cluster.sh start [DIR]    start (or report the running one) and wait until usable
#   tools/cluster.sh stop [DIR]     stop our daemons (pids recorded in DIR) and remove DIR
#   tools/cluster.sh status [DIR]   daemons and `ceph -s`
#   tools/cluster.sh conf [DIR]     print the path of the cluster's ceph.conf
#   tools/cluster.sh restart WHO [DIR]   stop one daemon (WHO: mon.a or osd.N) with SIGTERM and
#                                   start it again (recovery may still run: see wait-clean)
#   tools/cluster.sh wait-clean [DIR]    wait until every PG is active+clean
#
# Environment: OSDS (default 1), PG_NUM (32), MON_PORT (3300; msgr1 on MON_PORT+1).
# DIR defaults to /tmp/cephrs-cluster.
set -eu

cmd=${1:-status}
who=
if [ "$cmd" = restart ]; then
    who=${2:?restart needs mon.a or osd.N}
    shift
fi
dir=${2:-/tmp/cephrs-cluster}
case "$dir" in /*) ;; *) dir=$PWD/$dir ;; esac
osds=${OSDS:-1}
pg_num=${PG_NUM:-32}
port=${MON_PORT:-3300}
conf=$dir/ceph.conf
marker=$dir/.cephrs-cluster

log() { echo "[cluster] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
ceph_() { timeout 60 ceph -c "$conf" --connect-timeout 30 "$@"; }

# our daemons: pid files in DIR/run whose process runs with our conf
our_pids() {
    for f in "$dir"/run/*.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "-c $conf "; then
            echo "$pid"
        fi
    done
}

wait_for() {  # wait_for SECONDS WHAT CMD...
    secs=$1 what=$2
    shift 2
    i=0
    until "$@" > /dev/null 2>&1; do
        i=$((i + 1))
        [ "$i" -ge "$secs" ] && die "$what: not after ${secs}s (logs in $dir/log)"
        sleep 1
    done
}

stop() {
    [ -e "$marker" ] || { [ -e "$dir" ] && die "$dir is not ours"; return 0; }
    pids=$(our_pids)
    [ -n "$pids" ] && kill $pids 2> /dev/null || true
    for _ in $(seq 50); do [ -z "$(our_pids)" ] && break; sleep 0.2; done
    pids=$(our_pids)
    [ -n "$pids" ] && kill -9 $pids 2> /dev/null || true
    rm -rf "$dir"
    log "stopped"
}

osds_up() {
    n=$(ceph_ osd stat -f json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["num_up_osds"])')
    [ "$n" -ge "$osds" ]
}

pgs_clean() {
    ceph_ status -f json | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)["pgmap"]
total = d.get("num_pgs", 0)
clean = sum(s["count"] for s in d.get("pgs_by_state", []) if s["state_name"] == "active+clean")
sys.exit(0 if total > 0 and clean == total else 1)'
}

start() {
    if [ -e "$marker" ]; then
        [ -n "$(our_pids)" ] && { log "already running"; echo "$conf"; return 0; }
        stop
    fi
    [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ] && die "$dir exists and is not empty"
    mkdir -p "$dir/run" "$dir/log" "$dir/mon.a" "$dir/mgr.x"
    touch "$marker"
    fsid=$(uuidgen)
    size=$((osds < 3 ? osds : 3))
    cat > "$conf" <<EOF
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:$port,v1:127.0.0.1:$((port + 1))]
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_ipv6 = false
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
auth_allow_insecure_global_id_reclaim = false
mon_warn_on_insecure_global_id_reclaim_allowed = false
mon_warn_on_pool_no_redundancy = false
mon_allow_pool_delete = true
mon_allow_pool_size_one = true
mon_max_pg_per_osd = 1000
mon_data_avail_warn = 2
mon_data_avail_crit = 1
osd_pool_default_size = $size
osd_pool_default_min_size = 1
osd_pool_default_pg_num = $pg_num
osd_pool_default_pgp_num = $pg_num
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
run_dir = $dir/run
crash_dir = $dir/run
mgr_initial_modules = iostat
mgr_disabled_modules = diskprediction_local,prometheus,restful,nfs,snap_schedule,mirroring,influx,telegraf,zabbix,alerts,localpool,selftest,test_orchestrator,insights,osd_perf_query,osd_support,stats
[mon]
pid_file = $dir/run/\$name.pid
mon_data = $dir/\$name
log_file = $dir/log/\$name.log
mon_cluster_log_file = default=$dir/log/ceph.\$channel.log cluster=$dir/log/ceph.log
[mgr]
pid_file = $dir/run/\$name.pid
mgr_data = $dir/\$name
log_file = $dir/log/\$name.log
[osd]
pid_file = $dir/run/\$name.pid
osd_data = $dir/\$name
log_file = $dir/log/\$name.log
osd_objectstore = memstore
memstore_device_bytes = 4294967296
memstore_page_set = true
osd_target_pg_log_entries_per_osd = 20000
osd_max_pg_log_entries = 2000
osd_recovery_sleep = 0
osd_recovery_sleep_hdd = 0
osd_recovery_max_active = 8
[client]
keyring = $dir/keyring
EOF
    ceph-authtool --create-keyring "$dir/keyring" --gen-key -n client.admin \
        --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' > /dev/null
    ceph-authtool --create-keyring "$dir/mon.keyring" --gen-key -n mon. --cap mon 'allow *' > /dev/null
    ceph-authtool "$dir/mon.keyring" --import-keyring "$dir/keyring" > /dev/null
    monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$port,v1:127.0.0.1:$((port + 1))]" "$dir/monmap" > /dev/null
    ceph-mon -c "$conf" -i a --mkfs --monmap "$dir/monmap" --keyring "$dir/mon.keyring" > "$dir/log/mon.out" 2>&1
    ceph-mon -c "$conf" -i a >> "$dir/log/mon.out" 2>&1
    wait_for 60 "monitor" ceph_ mon stat
    ceph_ config set mgr mgr/devicehealth/enable_monitoring false --force
    ceph_ config set mgr mgr/balancer/active false --force
    ceph_ auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' -o "$dir/mgr.x/keyring" > /dev/null
    ceph-mgr -c "$conf" -i x > "$dir/log/mgr.out" 2>&1
    for i in $(seq 0 $((osds - 1))); do
        mkdir -p "$dir/osd.$i"
        uuid=$(uuidgen)
        key=$(ceph-authtool --gen-print-key)
        printf '{"cephx_secret": "%s"}' "$key" > "$dir/osd.$i/new.json"
        id=$(ceph_ osd new "$uuid" -i "$dir/osd.$i/new.json")
        [ "$id" = "$i" ] || die "expected osd.$i, got $id"
        printf '[osd.%s]\n\tkey = %s\n' "$i" "$key" > "$dir/osd.$i/keyring"
        ceph-osd -c "$conf" -i "$i" --mkfs --osd-uuid "$uuid" > "$dir/log/osd.$i.out" 2>&1
        ceph-osd -c "$conf" -i "$i" >> "$dir/log/osd.$i.out" 2>&1
    done
    wait_for 120 "OSDs up" osds_up
    ceph_ osd pool create rbd "$pg_num" "$pg_num" replicated > /dev/null 2>&1
    timeout 60 rbd -c "$conf" pool init rbd
    wait_for 300 "PGs active+clean" pgs_clean
    log "up: $osds OSD(s), conf $conf"
    echo "$conf"
}

restart() {
    [ -e "$marker" ] || die "no cluster at $dir"
    case "$who" in
        mon.a) daemon=ceph-mon id=a ;;
        osd.[0-9]*) daemon=ceph-osd id=${who#osd.} osds=$(ls -d "$dir"/osd.* | wc -l) ;;
        *) die "restart: unknown daemon $who" ;;
    esac
    pidfile=$dir/run/$who.pid
    [ -f "$pidfile" ] || die "$who: no pid file"
    pid=$(cat "$pidfile")
    kill "$pid" 2> /dev/null || true
    for _ in $(seq 300); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    [ -d "/proc/$pid" ] && die "$who did not stop"
    rm -f "$pidfile"
    $daemon -c "$conf" -i "$id" >> "$dir/log/$who.out" 2>&1
    case "$who" in
        mon.*) wait_for 60 "monitor" ceph_ mon stat ;;
        osd.*) wait_for 120 "OSDs up" osds_up ;;
    esac
    log "restarted $who"
}

case "$cmd" in
    start) start ;;
    restart) restart ;;
    wait-clean) wait_for 300 "PGs active+clean" pgs_clean ;;
    stop) stop ;;
    status)
        [ -e "$marker" ] || { echo "no cluster at $dir"; exit 3; }
        echo "daemons: $(our_pids | tr '\n' ' ')"
        ceph_ -s
        ;;
    conf) echo "$conf" ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
esac
