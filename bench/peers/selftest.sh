#!/usr/bin/env bash
# Checks the peer scripts end to end, for real: for each peer (default: all three) in a fresh state directory,
# start (installing if needed), create accounts (timed), verify TLS 1.3 with the certificate and that TLS 1.2 is
# refused, exchange a message between two accounts, check status and the fd limit, stop (twice: idempotent).
# Leaves nothing running. Usage: bench/peers/selftest.sh [--cert PEM --key PEM] [--accounts N] [PEER...]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
accounts=1000
cert_args=()
peers=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cert|--key) [ $# -ge 2 ] || { echo "$1 needs a file" >&2; exit 2; }; cert_args+=("$1" "$2"); shift 2 ;;
    --accounts) [ $# -ge 2 ] || { echo "--accounts needs a count" >&2; exit 2; }; accounts="$2"; shift 2 ;;
    mosquitto|ejabberd|prosody) peers+=("$1"); shift ;;
    *) echo "usage: $0 [--cert PEM --key PEM] [--accounts N] [mosquitto|ejabberd|prosody ...]" >&2; exit 2 ;;
  esac
done
[ ${#peers[@]} -gt 0 ] || peers=(mosquitto ejabberd prosody)
[ "$accounts" -ge 2 ] || { echo "--accounts must be at least 2" >&2; exit 2; }

PEER_STATE="$(mktemp -d /tmp/parley-peers-selftest.XXXXXX)"
chmod 755 "$PEER_STATE"   # the daemons' users must reach their directories
export PEER_STATE
passed=0 failed=0
current=""
cleanup() {
  local p
  for p in "${peers[@]}"; do "$here/$p.sh" stop >/dev/null 2>&1 || true; done
  rm -rf "$PEER_STATE"
}
trap cleanup EXIT

check() { # check NAME COMMAND...: runs COMMAND, counts and prints the outcome, output indented on failure
  local name="$1" out rc=0
  shift
  out=$("$@" 2>&1) || rc=$?
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    printf 'PASS %s: %s\n' "$current" "$name"
  else
    failed=$((failed + 1))
    printf 'FAIL %s: %s (exit %d)\n' "$current" "$name" "$rc"
    printf '%s\n' "$out" | tail -n 15 | sed 's/^/    /'
  fi
  LAST_OUT="$out"
}
LAST_OUT=""

served_fingerprint() { # served_fingerprint PORT [STARTTLS-ARGS...]
  local port="$1"
  shift
  echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_3 -servername localhost "$@" 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256
}

tls13_ok() { # tls13_ok CAFILE PORT [STARTTLS-ARGS...]: handshake is TLS 1.3 and the certificate verifies
  local ca="$1" port="$2" out
  shift 2
  out=$(echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_3 -CAfile "$ca" -verify_hostname localhost \
    -servername localhost "$@" 2>&1) || true
  if ! grep -q '^New, TLSv1.3, Cipher is' <<<"$out" || ! grep -q 'Verify return code: 0 (ok)' <<<"$out"; then
    printf '%s\n' "$out" | tail -n 20
    return 1
  fi
  echo "$(grep -m1 'Cipher is' <<<"$out"), verified"
}

tls12_refused() { # tls12_refused PORT [STARTTLS-ARGS...]
  local port="$1" out
  shift
  out=$(echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 "$@" 2>&1) || true
  if grep -q 'Cipher is (NONE)' <<<"$out"; then echo "refused"; else printf '%s\n' "$out" | tail -n 5; return 1; fi
}

same_cert() { # same_cert EXPECTED PORT [ARGS...]
  local want="$1" got
  shift
  got=$(served_fingerprint "$@")
  [ "$got" = "$want" ] || { echo "served $got, expected $want"; return 1; }
  echo "$got"
}

mqtt_exchange() { # mqtt_exchange CAFILE FROM TO
  local ca="$1" from="$2" to="$3" out sub msg
  msg="hello $to from $from $$"
  out=$(mktemp)
  mosquitto_sub -h localhost -p 8883 --cafile "$ca" -u "$to" -P Bench-Pass-123 -t "u/$to" -C 1 -W 10 -i "sub-$to" \
    >"$out" 2>&1 &
  sub=$!
  sleep 0.5
  mosquitto_pub -h localhost -p 8883 --cafile "$ca" -u "$from" -P Bench-Pass-123 -t "u/$to" -m "$msg" -q 1 -i "pub-$from"
  wait "$sub" || { cat "$out"; rm -f "$out"; return 1; }
  grep -qxF "$msg" "$out" || { cat "$out"; rm -f "$out"; return 1; }
  rm -f "$out"
  echo "$from -> u/$to: $msg"
}

mqtt_denied() { # mqtt_denied CAFILE: a wrong password is refused
  if mosquitto_pub -h localhost -p 8883 --cafile "$1" -u user0 -P wrong -t u/user1 -m x 2>&1; then return 1; fi
  echo "refused"
}

fd_limit_ok() { # fd_limit_ok PEER: the daemon's soft open-files limit is above 1,024
  local pid lim
  pid=$(cat "$PEER_STATE/$1/run/$1.pid")
  lim=$(awk '/^Max open files/ {print $4}' "/proc/$pid/limits")
  echo "pid $pid: Max open files $lim"
  [ "$lim" = unlimited ] || [ "$lim" -gt 1024 ]
}

only_loopback() { # only_loopback PEER: every socket the daemon listens on is on 127.0.0.1
  local pid bad
  pid=$(cat "$PEER_STATE/$1/run/$1.pid")
  ss -Hltnp | grep -E "pid=$pid," | awk '{print $4}'
  bad=$(ss -Hltunp | grep -E "pid=$pid," | awk '$5 !~ /^127\.0\.0\.1:/' || true)
  [ -z "$bad" ] || { echo "not on loopback: $bad"; return 1; }
}

for p in "${peers[@]}"; do
  current="$p"
  script="$here/$p.sh"
  check "start" "$script" "${cert_args[@]}" start
  echo "    ${LAST_OUT##*$'\n'}"
  ca="$PEER_STATE/$p/tls/cert.pem"
  want=$(openssl x509 -in "$ca" -noout -fingerprint -sha256 2>/dev/null || echo none)
  check "accounts $accounts" "$script" accounts "$accounts"
  echo "    ${LAST_OUT##*$'\n'}"
  last="user$((accounts - 1))" prev="user$((accounts - 2))"
  case "$p" in
    mosquitto)
      check "TLS 1.3 on 8883" tls13_ok "$ca" 8883
      check "TLS 1.2 refused on 8883" tls12_refused 8883
      check "serves the given certificate on 8883" same_cert "$want" 8883
      check "MQTT user0 -> user1 over TLS" mqtt_exchange "$ca" user0 user1
      check "MQTT $prev -> $last over TLS" mqtt_exchange "$ca" "$prev" "$last"
      check "wrong password refused" mqtt_denied "$ca"
      ;;
    ejabberd|prosody)
      if [ "$p" = ejabberd ]; then st=5222 dt=5223; else st=5322 dt=5323; fi
      check "TLS 1.3 on $dt (direct)" tls13_ok "$ca" "$dt"
      check "TLS 1.3 on $st (STARTTLS)" tls13_ok "$ca" "$st" -starttls xmpp -xmpphost localhost
      check "TLS 1.2 refused on $dt" tls12_refused "$dt"
      check "TLS 1.2 refused on $st" tls12_refused "$st" -starttls xmpp -xmpphost localhost
      check "serves the given certificate on $dt" same_cert "$want" "$dt"
      check "serves the given certificate on $st" same_cert "$want" "$st" -starttls xmpp -xmpphost localhost
      check "XMPP user0 -> user1, direct TLS" python3 "$here/xmpp_smoke.py" --port "$dt" --tls direct --cafile "$ca" --count 100
      check "XMPP $prev -> $last, STARTTLS" python3 "$here/xmpp_smoke.py" --port "$st" --tls starttls --cafile "$ca" \
        --from-user "$prev" --to-user "$last"
      check "wrong password refused" bash -c "! python3 '$here/xmpp_smoke.py' --port $dt --tls direct --cafile '$ca' --password wrong"
      ;;
  esac
  check "fd limit above 1,024" fd_limit_ok "$p"
  echo "    $LAST_OUT"
  check "listens on 127.0.0.1 only" only_loopback "$p"
  check "status" "$script" status
  printf '%s\n' "$LAST_OUT" | sed 's/^/    /'
  check "stop" "$script" stop
  check "stop again (idempotent)" "$script" stop
  check "status says stopped" bash -c "'$script' status; [ \$? -eq 3 ]"
  case "$p" in mosquitto) ports="8883" ;; ejabberd) ports="5222|5223|5210" ;; prosody) ports="5322|5323" ;; esac
  check "nothing left listening on its ports" bash -c "! ss -Hltn | grep -qE '127\.0\.0\.1:($ports) '"
done

echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
