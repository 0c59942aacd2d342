#!/usr/bin/env bash
# A multi-host GainCal cluster on one machine (needs root): each host is a network namespace with its own
# address on a private bridge (10.77.0.0/24, inside the namespaces only) and its own directory under DATA:
#   storage  10.77.0.2   Debian's xrootd serving DATA/storage/data as root://10.77.0.2:1094//
#   db       10.77.0.3   PostgreSQL (the journal of every node), DATA/db
#   node<i>  10.77.0.1<i> a GainCal node: remoting :4053, command host 127.0.0.1:9110 inside its namespace,
#                        data directory DATA/node<i> (no node sees another's)
# Anything left over from an earlier lab (also after a crash) is torn down first. Waits until all nodes are
# up members of one cluster, then prints how to use it.
#
#   deploy/lab/up.sh [-n NODES] [-d DATA] [-- NODE ARGS...]        tear down with deploy/lab/down.sh
# deploy/lab/node.sh [-d DATA] I starts node I again after it was killed or downed itself; deploy/lab/storage.sh
# [-d DATA] start|stop|kill starts and stops the storage host's xrootd.
set -euo pipefail
source "$(dirname "$0")/env.sh"
n=3; data="$lab_root/artifacts/lab"; extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n="$2"; shift 2 ;;
    -d) data="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "lab/up.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$n" -ge 1 ] && [ "$n" -le 9 ] || { echo "lab/up.sh: -n must be 1..9" >&2; exit 2; }
lab_need_root
bash "$(dirname "$0")/down.sh" -d "$data" >/dev/null
mkdir -p "$data"; data="$(cd "$data" && pwd)"
echo "$n" > "$data/nodes"
for dll in "$lab_node_dll" "$lab_cli_dll"; do
  [ -f "$dll" ] || dotnet build "$lab_root/GainCal.sln" -c Release -nologo -v q >&2
done

# The network: a bridge in gclab-net, one veth pair per host (eth0 inside the host's namespace).
ip netns add "$(lab_ns net)"
ip -n "$(lab_ns net)" link add br0 type bridge
ip -n "$(lab_ns net)" link set br0 up
ip -n "$(lab_ns net)" link set lo up
addr_of() { case "$1" in storage) echo "$lab_storage_ip" ;; db) echo "$lab_db_ip" ;; node*) lab_node_ip "${1#node}" ;; esac; }
for host in $(lab_hosts "$n"); do
  ns="$(lab_ns "$host")"
  ip netns add "$ns"
  ip -n "$(lab_ns net)" link add "v-$host" type veth peer name eth0 netns "$ns"
  ip -n "$(lab_ns net)" link set "v-$host" master br0 up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$(addr_of "$host")/24" dev eth0
  ip -n "$ns" link set eth0 up
done

# Storage: xrootd as Debian's xrootd user, reachable from the nodes' addresses (storage.sh stops and starts it later).
bash "$(dirname "$0")/storage.sh" -d "$data" start

# The journal: PostgreSQL listening on the lab address, trusting the lab network only.
connection="$(ip netns exec "$(lab_ns db)" bash "$lab_root/deploy/postgres/start.sh" -d "$data/db" -p "$lab_pg_port" \
  -l "$lab_db_ip" -a "$lab_cidr" | tail -1)"
echo "$connection" > "$data/connection-string"
echo "db: $connection"

# The nodes: all three are seeds; each has its own data directory and its command host on its own loopback.
# Remoting between hosts is mutual TLS (docs/security.md): the lab's authority and one certificate per node.
node_ips=(); for i in $(seq 1 "$n"); do node_ips+=("$(lab_node_ip "$i")"); done
bash "$lab_root/deploy/tls/make-certs.sh" -d "$data/tls" "${node_ips[@]}" >/dev/null
# node.sh starts each node (and restarts one later) with these extra arguments.
printf '%s\n' "${extra[@]}" | grep -v '^$' > "$data/node-args" || true
for i in $(seq 1 "$n"); do bash "$(dirname "$0")/node.sh" -d "$data" "$i"; done

# Up when every node's command host answers and the first node sees all of them as up members.
for _ in $(seq 1 900); do
  members="$(ip netns exec "$(lab_ns node1)" dotnet "$lab_cli_dll" pbm "127.0.0.1:$lab_command_port" cluster show 2>/dev/null | grep -c '| up' || true)"
  if [ "$members" = "$n" ]; then
    echo "lab up: $n nodes in one cluster. Try:"
    echo "  deploy/lab/exec.sh node1 dotnet $lab_cli_dll pbm 127.0.0.1:$lab_command_port cluster show"
    echo "  deploy/lab/link.sh node3 down     (cut node3 off the bridge; up to reconnect)"
    echo "  deploy/lab/down.sh"
    exit 0
  fi
  for i in $(seq 1 "$n"); do
    if ! kill -0 "$(cat "$data/node$i/node.pid")" 2>/dev/null; then
      echo "lab/up.sh: node$i exited; last lines of its log:" >&2; tail -20 "$data/node$i/node.log" >&2; exit 1
    fi
  done
  sleep 0.2
done
echo "lab/up.sh: the nodes did not form one cluster of $n within 180 s (logs in $data/node*/node.log)" >&2
exit 1
