# Shared by the deploy/lab scripts (sourced). The lab's hosts are network namespaces named gclab-<host>,
# joined by a bridge that itself lives in the namespace gclab-net, so the machine's own namespace gets no
# interface and no address: nothing outside 10.77.0.0/24 inside these namespaces is ever contacted.
lab_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lab_net=10.77.0
lab_cidr="$lab_net.0/24"
lab_storage_ip="$lab_net.2"
lab_db_ip="$lab_net.3"
lab_node_ip() { echo "$lab_net.$((10 + $1))"; }
lab_node_port=4053
lab_command_port=9110
lab_xrootd_port=1094
lab_pg_port=5432
lab_node_dll="${NODE_DLL:-$lab_root/GainCal.Node/bin/Release/net10.0/GainCal.Node.dll}"
lab_cli_dll="${CLI_DLL:-$lab_root/GainCal.Cli/bin/Release/net10.0/gaincal.dll}"
lab_hosts() { echo storage db; for i in $(seq 1 "$1"); do echo "node$i"; done; }
lab_ns() { echo "gclab-$1"; }
lab_need_root() {
  if [ "$(id -u)" -ne 0 ]; then echo "deploy/lab: network namespaces need root (run with sudo)" >&2; exit 3; fi
  command -v ip >/dev/null 2>&1 || { echo "deploy/lab: the ip command (iproute2) is missing" >&2; exit 3; }
}
