# shellcheck shell=bash disable=SC2034
# Shared helpers for bench/peers/<peer>.sh: argument parsing, package installation, the TLS certificate,
# pid files, waiting for a port and file-descriptor limits. Sourced, never run; the sourcing script sets PEER
# (the peer's name) and PEER_USER (the system user the daemon runs as) first, and uses `set -euo pipefail`.

PEER_STATE_ROOT="${PEER_STATE:-/tmp/parley-peers}"
PEER_DIR="$PEER_STATE_ROOT/$PEER"
PEER_HOST=127.0.0.1                          # every listener binds here and nowhere else
PEER_PASSWORD="${PEER_PASSWORD:-Bench-Pass-123}"
PEER_USER_PREFIX="${PEER_USER_PREFIX:-user}"  # accounts are user0 .. user{N-1}
PEER_NOFILE="${PEER_NOFILE:-65536}"          # wanted fd limit; capped at the hard limit we may set
PEER_TIMEOUT="${PEER_TIMEOUT:-60}"           # seconds any wait (start, stop, port) may take
PEER_CERT="${PEER_CERT:-}"
PEER_KEY="${PEER_KEY:-}"
TLS_DIR="$PEER_DIR/tls"
PID_FILE="$PEER_DIR/run/$PEER.pid"
LOG_DIR="$PEER_DIR/log"
export DEBIAN_FRONTEND=noninteractive

log() { printf '[%s] %s\n' "$PEER" "$*" >&2; }
die() { printf '[%s] error: %s\n' "$PEER" "$*" >&2; exit 1; }

# peer_parse_args "$@": takes --cert PEM, --key PEM and --state DIR from anywhere in the arguments and leaves the
# rest (subcommand and its operands) in ARGS.
ARGS=()
peer_parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --cert) [ $# -ge 2 ] || die "--cert needs a file"; PEER_CERT="$2"; shift 2 ;;
      --cert=*) PEER_CERT="${1#--cert=}"; shift ;;
      --key) [ $# -ge 2 ] || die "--key needs a file"; PEER_KEY="$2"; shift 2 ;;
      --key=*) PEER_KEY="${1#--key=}"; shift ;;
      --state) [ $# -ge 2 ] || die "--state needs a directory"; PEER_STATE_ROOT="$2"; shift 2 ;;
      --state=*) PEER_STATE_ROOT="${1#--state=}"; shift ;;
      -h|--help) ARGS=(help); return ;;
      *) ARGS+=("$1"); shift ;;
    esac
  done
  # One spelling of the state directory (trailing slashes, relative paths), since the pid check matches it.
  PEER_STATE_ROOT=$(realpath -m "$PEER_STATE_ROOT")
  PEER_DIR="$PEER_STATE_ROOT/$PEER"
  TLS_DIR="$PEER_DIR/tls"
  PID_FILE="$PEER_DIR/run/$PEER.pid"
  LOG_DIR="$PEER_DIR/log"
}

peer_usage() {
  cat >&2 <<EOF
usage: $0 [--cert PEM --key PEM] [--state DIR] SUBCOMMAND
  install      install the Debian packages (idempotent; starts no daemon)
  start        write the config into \$PEER_STATE/$PEER and start the daemon on $PEER_HOST
  accounts N   create accounts ${PEER_USER_PREFIX}0 .. ${PEER_USER_PREFIX}{N-1}, password \$PEER_PASSWORD
  stop         stop the daemon (idempotent)
  status       running or not, pid, version, listening ports, fd limit
state: $PEER_DIR   (see bench/peers/README.md)
EOF
}

# --- packages -----------------------------------------------------------------------------------------------

# apt_install PKG...: installs what is missing, non-interactively, without letting the packages' maintainer
# scripts start their daemons (they would listen on the distribution's default addresses and ports).
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "installing ${missing[*]} needs root"
  mkdir -p "$PEER_STATE_ROOT"
  log "installing ${missing[*]}"
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary, from bench/peers: keep package installs from starting daemons\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT   # removed even if the install is interrupted
  fi
  local opts=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  local rc=0
  apt-get install "${opts[@]}" "${missing[@]}" >"$PEER_STATE_ROOT/apt-$PEER.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    log "apt-get install failed (rc $rc); running apt-get update and trying once more"
    apt-get update -q >>"$PEER_STATE_ROOT/apt-$PEER.log" 2>&1 || true
    rc=0
    apt-get install "${opts[@]}" "${missing[@]}" >>"$PEER_STATE_ROOT/apt-$PEER.log" 2>&1 || rc=$?
  fi
  if [ "$made_policy" -eq 1 ]; then
    rm -f "$policy"
    trap - EXIT
  fi
  [ "$rc" -eq 0 ] || { tail -n 20 "$PEER_STATE_ROOT/apt-$PEER.log" >&2; die "apt-get install ${missing[*]} failed"; }
}

# --- state directory ---------------------------------------------------------------------------------------

# prepare_state SUBDIR...: creates the peer's state directory and subdirectories, owned by the daemon's user so
# that it can read its config and certificate and write its data and logs after dropping root.
# shellcheck disable=SC2120 # the subdirectories are optional
prepare_state() {
  mkdir -p "$PEER_STATE_ROOT"
  mkdir -p "$PEER_DIR" "$TLS_DIR" "$LOG_DIR" "$PEER_DIR/run"
  local d
  for d in "$@"; do mkdir -p "$PEER_DIR/$d"; done
  chmod 755 "$PEER_STATE_ROOT"
  chown -R "$PEER_USER:$PEER_USER" "$PEER_DIR"
  chmod 750 "$PEER_DIR"
  # The daemon's user must be able to reach the directory: fail early with a clear message if a parent is closed.
  setpriv --reuid="$PEER_USER" --regid="$PEER_USER" --clear-groups test -r "$PEER_DIR" -a -x "$PEER_DIR" ||
    die "user $PEER_USER cannot enter $PEER_DIR; choose a --state (PEER_STATE) below a world-traversable directory"
}

# rotate_logs: keeps the previous run's logs as *.log.prev so each start has fresh ones.
rotate_logs() {
  local f
  for f in "$LOG_DIR"/*.log; do
    [ -e "$f" ] && mv -f "$f" "$f.prev"
  done
  return 0
}

# --- certificate -------------------------------------------------------------------------------------------

pubkey_digest_of_cert() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1; }
pubkey_digest_of_key() { openssl pkey -in "$1" -passin pass: -pubout -outform DER | sha256sum | cut -d' ' -f1; }

# make_selfsigned DIR: one self-signed ECDSA P-256 certificate for localhost / 127.0.0.1 / ::1 shared by every peer
# under the same state root (so all peers serve the same certificate, as with --cert), created once. Its extensions
# are those of the certificate Parley creates for itself (src/Parley.Server/Security/TlsCertificateProvider.cs).
make_selfsigned() {
  local dir="$1"
  mkdir -p "$dir"
  (
    flock -w "$PEER_TIMEOUT" 9 || die "timed out waiting for the lock on $dir"
    if [ ! -s "$dir/cert.pem" ] || [ ! -s "$dir/key.pem" ]; then
      log "creating a self-signed ECDSA P-256 certificate for localhost/127.0.0.1 in $dir"
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
        -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
        -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature" \
        -addext "extendedKeyUsage=serverAuth" \
        -keyout "$dir/key.pem.tmp" -out "$dir/cert.pem.tmp" 2>/dev/null
      chmod 644 "$dir/key.pem.tmp" "$dir/cert.pem.tmp"
      mv "$dir/key.pem.tmp" "$dir/key.pem"
      mv "$dir/cert.pem.tmp" "$dir/cert.pem"
    fi
  ) 9>"$dir/.lock"
}

# install_cert: puts the certificate the peer serves into $TLS_DIR/cert.pem and its key into $TLS_DIR/key.pem.
# From --cert/--key (PEER_CERT/PEER_KEY) when given, else from the shared self-signed one. The certificate file is
# copied whole (a chain stays a chain); the key is rewritten as unencrypted PKCS#8, which every peer reads.
install_cert() {
  local cert="$PEER_CERT" key="$PEER_KEY" source
  if [ -n "$cert" ] || [ -n "$key" ]; then
    if [ -z "$cert" ] || [ -z "$key" ]; then die "give both --cert and --key (PEER_CERT and PEER_KEY), or neither"; fi
    [ -r "$cert" ] || die "cannot read certificate $cert"
    [ -r "$key" ] || die "cannot read key $key"
    source="given: $(readlink -f "$cert") / $(readlink -f "$key")"
  else
    make_selfsigned "$PEER_STATE_ROOT/selfsigned"
    cert="$PEER_STATE_ROOT/selfsigned/cert.pem"
    key="$PEER_STATE_ROOT/selfsigned/key.pem"
    source="self-signed: $cert"
  fi
  openssl x509 -in "$cert" -noout 2>/dev/null || die "$cert is not a PEM certificate"
  openssl pkey -in "$key" -passin pass: -noout 2>/dev/null || die "$key is not an unencrypted PEM private key"
  [ "$(pubkey_digest_of_cert "$cert")" = "$(pubkey_digest_of_key "$key")" ] || die "$key does not belong to $cert"
  mkdir -p "$TLS_DIR"
  cp "$cert" "$TLS_DIR/cert.pem.tmp"
  openssl pkey -in "$key" -passin pass: -out "$TLS_DIR/key.pem.tmp"
  chown "$PEER_USER:$PEER_USER" "$TLS_DIR/cert.pem.tmp" "$TLS_DIR/key.pem.tmp"
  chmod 644 "$TLS_DIR/cert.pem.tmp"
  chmod 640 "$TLS_DIR/key.pem.tmp"
  mv "$TLS_DIR/cert.pem.tmp" "$TLS_DIR/cert.pem"
  mv "$TLS_DIR/key.pem.tmp" "$TLS_DIR/key.pem"
  echo "$source" >"$TLS_DIR/source"
  log "certificate: $source ($(openssl x509 -in "$TLS_DIR/cert.pem" -noout -subject | sed 's/^subject=//'), $(cert_key_type "$TLS_DIR/cert.pem"))"
}

cert_key_type() {
  openssl x509 -in "$1" -noout -text | awk -F': ' '/Public Key Algorithm|ASN1 OID|NIST CURVE|Public-Key:/ {printf "%s%s", sep, $2; sep=" "}'
}

# --- processes ---------------------------------------------------------------------------------------------

# proc_alive PID: the process exists and is not a zombie.
proc_alive() {
  local pid="$1" state
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# running_pid: prints the pid from the pid file when that process is alive and still this peer's daemon: its
# executable matches PEER_EXE (a regex set by the peer script) and its command line names this state directory (so a
# reused pid, or the same peer under another state directory, is not taken for it); fails otherwise.
running_pid() {
  local pid exe
  [ -r "$PID_FILE" ] || return 1
  pid=$(tr -dc '0-9' <"$PID_FILE")
  proc_alive "$pid" || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
  [[ "$exe" =~ $PEER_EXE ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$PEER_DIR/" || return 1
  echo "$pid"
}

# launch LOGFILE CMD...: starts CMD in the background in its own session, detached from the terminal, stdout and
# stderr appended to LOGFILE; sets LAUNCHED_PID. setsid and taskset exec in place, so the pid is CMD's own.
# PEER_CPUS (a taskset CPU list such as "0") pins the daemon to those CPUs.
LAUNCHED_PID=
launch() {
  local logfile="$1" pre=()
  shift
  [ -n "${PEER_CPUS:-}" ] && pre=(taskset -c "$PEER_CPUS")
  setsid "${pre[@]}" "$@" </dev/null >>"$logfile" 2>&1 &
  LAUNCHED_PID=$!
}

# stop_pid PID [TIMEOUT]: SIGTERM, then SIGKILL if still alive after TIMEOUT seconds.
stop_pid() {
  local pid="$1" timeout="${2:-$PEER_TIMEOUT}" i
  proc_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    proc_alive "$pid" || return 0
    sleep 0.1
  done
  log "pid $pid did not stop after ${timeout}s of SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    proc_alive "$pid" || return 0
    sleep 0.1
  done
  die "pid $pid survived SIGKILL"
}

# port_listening PORT: something listens on 127.0.0.1:PORT.
port_listening() {
  [ -n "$(ss -Hltn "( sport = :$1 )" 2>/dev/null | awk -v a="$PEER_HOST:$1" '$4 == a')" ]
}

# wait_port PORT PID [TIMEOUT]: waits until PORT listens on 127.0.0.1, failing early if PID dies.
wait_port() {
  local port="$1" pid="$2" timeout="${3:-$PEER_TIMEOUT}" i
  for ((i = 0; i < timeout * 10; i++)); do
    port_listening "$port" && return 0
    if [ -n "$pid" ] && ! proc_alive "$pid"; then
      log "the daemon (pid $pid) exited before listening on $PEER_HOST:$port"
      return 1
    fi
    sleep 0.1
  done
  log "nothing listens on $PEER_HOST:$port after ${timeout}s"
  return 1
}

# ensure_ports_free PORT...: refuses to start when a port is already taken (by another peer or program).
ensure_ports_free() {
  local p
  for p in "$@"; do
    if [ -n "$(ss -Hltn "( sport = :$p )" 2>/dev/null)" ]; then
      ss -Hltnp "( sport = :$p )" >&2 || true
      die "port $p is already in use"
    fi
  done
}

# --- file descriptors --------------------------------------------------------------------------------------

# raise_nofile: raises this shell's open-files limit (inherited by the daemon started from it) to PEER_NOFILE,
# or as high as the hard limit allows when the hard limit cannot be raised (no CAP_SYS_RESOURCE, e.g. in a
# container); prints the soft limit it set.
raise_nofile() {
  local want="$PEER_NOFILE" hard
  hard=$(ulimit -Hn)
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then
    if ! ulimit -Hn "$want" 2>/dev/null; then
      log "cannot raise the hard open-files limit to $want (it is $hard); using $hard"
      want="$hard"
    fi
  fi
  ulimit -Sn "$want"
  ulimit -Sn
}

# nofile_of PID: the soft and hard "Max open files" of a running process.
nofile_of() {
  awk '/^Max open files/ {print $4 " (hard " $5 ")"}' "/proc/$1/limits" 2>/dev/null || echo unknown
}

# check_nofile PID WANT: warns when the daemon did not get the limit this script set.
check_nofile() {
  local got
  got=$(awk '/^Max open files/ {print $4}' "/proc/$1/limits" 2>/dev/null || echo 0)
  if [ "$got" != unlimited ] && [ "$got" -lt "$2" ]; then
    log "warning: pid $1 has an open-files limit of $got, below the $2 it should have inherited"
    return 1
  fi
}

# listening_ports PID...: the TCP sockets these processes listen on, as ss shows them.
listening_ports() {
  local pid out=""
  for pid in "$@"; do
    out+=$(ss -Hltnp 2>/dev/null | grep -E "pid=$pid," || true)
    out+=$'\n'
  done
  printf '%s' "$out" | sed '/^$/d' | awk '{print "  " $4 "  " $6}'
}

# status_report NAME VERSION PID [EXTRA_PIDS...]: the common part of `status`.
status_report() {
  local version="$1" pid="$2"
  shift 2
  echo "$PEER: running"
  echo "  pid: $pid"
  echo "  version: $version"
  echo "  state: $PEER_DIR"
  echo "  certificate: $(cat "$TLS_DIR/source" 2>/dev/null || echo unknown)"
  echo "  open-files limit: $(nofile_of "$pid")"
  echo "  cpus: $(taskset -pc "$pid" 2>/dev/null | sed 's/.*: //' || echo unknown)"
  echo "  listening (ss -ltnp):"
  listening_ports "$pid" "$@"
}

# need_count N: validates the operand of `accounts`.
need_count() {
  if ! [[ "${1:-}" =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ]; then die "accounts needs a positive count, e.g. accounts 1000"; fi
}

# seconds_since START: seconds from START (date +%s.%N) to now, to two decimals.
seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}'; }

# The default `stop`: signal the daemon, wait for it, forget its pid. A peer that stops differently defines its own
# cmd_stop after sourcing this file.
cmd_stop() {
  local pid
  if pid=$(running_pid); then
    stop_pid "$pid"
    log "stopped pid $pid"
  else
    log "not running"
  fi
  rm -f "$PID_FILE"
}

# peer_main: runs the command in ARGS (after peer_parse_args) with the peer's cmd_* functions.
peer_main() {
  case "${ARGS[0]:-help}" in
    install) cmd_install ;;
    start) cmd_start ;;
    accounts) cmd_accounts "${ARGS[1]:-}" ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    help) peer_usage ;;
    *) peer_usage; exit 2 ;;
  esac
}
