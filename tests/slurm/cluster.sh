#!/usr/bin/env bash
# cluster.sh — a private single-node SLURM on this machine, for as long as
# one command runs:
#
#   cluster.sh COMMAND [ARG...]
#
# starts munged (its own key, socket and pid file), slurmctld and slurmd
# (their own slurm.conf, state, spool and log directories in a mktemp
# directory, their own ports), checks that a batch job really runs, then
# runs COMMAND with SLURM_CONF pointing at the private configuration, and
# stops everything again, also when COMMAND or the start fails.  Nothing of
# the system's SLURM or MUNGE is read or touched; two of these run side by
# side.  The exit status is COMMAND's.  Where SLURM is not installed or
# this is not root, it prints a TAP skip ("1..0 # SKIP why") and exits 0;
# installed but not starting is a failure ("Bail out!", exit 1).
# KEEP=1 keeps the directory (logs) for a look afterwards.
set -u

D=
skip() { echo "1..0 # SKIP $*"; exit 0; }
bail() { echo "Bail out! $*"; for f in "$D"/log/*.log; do [ -f "$f" ] && sed "s|^|# ${f##*/}: |" "$f" | tail -15 >&2; done; exit 1; }

[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }
for tool in slurmctld slurmd sbatch squeue scancel scontrol sinfo munged ss; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool not installed (Debian: slurm-wlm, munge; scripts/install-deps.sh)"
done
[ "$(id -u)" -eq 0 ] || skip "a private slurmd must run as root"

D=$(mktemp -d /tmp/ikesim-slurm.XXXXXX) || bail "cannot make a directory in /tmp"
chmod 755 "$D"   # munged wants a socket directory everyone may enter
mkdir -p "$D"/{munge,run,state,spool,log} && chmod 700 "$D/munge" && chmod 755 "$D/run"
PIDS=()

stop() {
  if [ -f "$D/slurm.conf" ] && [ ${#PIDS[@]} -gt 1 ]; then  # our jobs first, so no slurmstepd stays behind
    SLURM_CONF=$D/slurm.conf scancel --quiet --user="$(id -un)" 2>/dev/null
    for _ in $(seq 50); do
      [ -z "$(SLURM_CONF=$D/slurm.conf squeue --noheader 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  if [ "${KEEP:-}" = 1 ]; then echo "# kept $D" >&2; else rm -rf "$D"; fi
}
trap stop EXIT
trap 'exit 1' INT TERM HUP

# two free TCP ports, apart from other runs of this script (by PID)
free() { [ -z "$(ss -Htan "( sport = :$1 )")" ]; }
port=$(( 10000 + ($$ * 2) % 22000 ))
until free "$port" && free $((port + 1)); do port=$((port + 2)); [ "$port" -lt 32000 ] || port=10000; done

# MUNGE: its own key, socket, pid, log and seed files
if command -v mungekey >/dev/null 2>&1; then
  mungekey --create --keyfile="$D/munge/munge.key" || bail "mungekey failed"
else
  dd if=/dev/urandom of="$D/munge/munge.key" bs=1024 count=1 2>/dev/null && chmod 600 "$D/munge/munge.key"
fi
SOCKET=$D/run/munge.socket
munged --foreground --socket="$SOCKET" --key-file="$D/munge/munge.key" --pid-file="$D/run/munged.pid" \
  --log-file="$D/log/munged.log" --seed-file="$D/munge/munged.seed" 2>/dev/null &
PIDS+=($!)

NODE=$(hostname -s)
cat > "$D/slurm.conf" <<CONF
ClusterName=ikesim$$
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCKET
CredType=cred/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/run/slurmctld.pid
SlurmdPidFile=$D/run/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
# no cgroups, no accounting daemon: what runs anywhere
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$D/log/jobcomp.txt
MpiDefault=none
MailProg=/bin/true
# start array elements as soon as CPUs free up; cancelled ones die fast
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1,bf_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
KillWait=5
ReturnToService=2
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$D/slurm.conf

for _ in $(seq 50); do [ -S "$SOCKET" ] && break; sleep 0.1; done
[ -S "$SOCKET" ] || bail "munged did not start"
slurmctld -D -i >/dev/null 2>&1 &
PIDS+=($!)
slurmd -D -N "$NODE" >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 150); do
  [ "$(sinfo --noheader --format=%t 2>/dev/null)" = idle ] && break
  sleep 0.2
done
[ "$(sinfo --noheader --format=%t 2>/dev/null)" = idle ] || bail "the private SLURM did not come up (node not idle)"

# it must really run a batch job
job=$(sbatch --parsable --output="$D/log/smoke.out" --wrap 'echo "smoke $SLURM_JOB_ID on $(hostname -s)"') ||
  bail "sbatch refused the smoke job"
for _ in $(seq 150); do
  [ -z "$(squeue --noheader --jobs="$job" 2>/dev/null)" ] && break
  sleep 0.2
done
grep -qx "smoke $job on $NODE" "$D/log/smoke.out" 2>/dev/null || bail "the smoke job $job did not run"
echo "# private SLURM: cluster ikesim$$, ports $port-$((port + 1)), node $NODE, $(nproc) CPUs, in $D" >&2

"$@"
rc=$?
exit $rc
