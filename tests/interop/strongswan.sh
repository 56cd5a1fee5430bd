#!/usr/bin/env bash
# strongswan.sh — ikesim-live (the IKEv2 model over real UDP) against
# strongSwan's charon 5.9.x as a real peer, as TAP.
#
#   strongswan.sh PATH/TO/ikesim-live
#
# Every run gets a fresh network namespace (loopback only), a private
# strongswan.conf / swanctl.conf / vici socket in a mktemp directory, and a
# mount namespace with its own /run for charon's fixed pidfile (see
# shared/docs/validators.md §3-4).  The kernel here has no ESP, so the IKE SAs
# are childless (RFC 6023), except in the cases where charon's kernel-libipsec
# does ESP in userspace (Child SA rekeys, reauthentication).  Captures are checked
# by tshark with the keys ikesim-live logs: no malformed or warning frames,
# every SK payload decrypted (so charon's and tshark's key derivation, AUTH and
# SK protection agree with ours).  The last case is an RFC 6311 failover with
# charon as the peer.  Needs root; skips when a tool is missing.
set -u

LIVE=${1:-}
CHARON=/usr/lib/ipsec/charon
PSK=interop-test-psk-0123456789
# one suite per algorithm pair charon and ikesim share, then strongSwan's defaults
PROPOSALS=(aes256gcm16-prfsha256-x25519 aes128gcm16-prfsha256-x25519 aes128-sha256-modp2048
  aes128gcm8-prfsha1-modp3072 aes192gcm12-prfsha384-ecp256 aes256ccm16-prfsha512-ecp384
  aes128ccm8-prfsha256-ecp521 aes192ccm12-prfsha256-x448 chacha20poly1305-prfsha256-x25519
  aes128-sha1-modp4096 aes192-sha384-ecp384 aes256-sha512-x448 strongswan)
STEP=0.05   # polling interval, seconds

skip() { echo "1..0 # SKIP $*"; exit 0; }

[ -n "$LIVE" ] && [ -x "$LIVE" ] || { echo "Bail out! usage: $0 PATH/TO/ikesim-live"; exit 1; }
LIVE=$(readlink -f "$LIVE")
[ -x "$CHARON" ] || skip "strongSwan charon not installed ($CHARON; scripts/install-deps.sh)"
for tool in swanctl ip unshare tshark dumpcap timeout; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool not installed (scripts/install-deps.sh)"
done
[ "$(id -u)" -eq 0 ] || skip "needs root (network and mount namespaces)"
probe=ikesim-probe-$$
ip netns add "$probe" 2>/dev/null || skip "cannot create a network namespace"
ip netns del "$probe"

ROOT=$(mktemp -d /tmp/ikesim-interop.XXXXXX)
NSS=()      # every namespace this script made
cleanup() { # our own background jobs (charon, dumpcap, ikesim-live) still running, our namespaces
  local p n
  for p in $(jobs -p); do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  for n in "${NSS[@]}"; do ip netns del "$n" 2>/dev/null; done
  if [ "${KEEP:-}" = 1 ]; then echo "# kept $ROOT" >&2; else rm -rf "$ROOT"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- TAP -------------------------------------------------------------------
N=0 FAILED=0
check() { # check NAME COMMAND... : one TAP line for the command's status
  local name=$1; shift
  N=$((N + 1))
  if "$@"; then echo "ok $N - $name"; else echo "not ok $N - $name"; FAILED=$((FAILED + 1)); fi
}
skip_check() { # skip_check NAME REASON : a TAP line for a check this pair of tools cannot make
  N=$((N + 1)); echo "ok $N - $1 # SKIP $2"
}
diag() { sed 's/^/# /' "$@"; }
decrypt_check() { # decrypt_check TAG PROPOSAL FRAMES : tshark decrypts every SK payload
  if [[ $2 == chacha20poly1305* ]]; then
    skip_check "$1: tshark decrypts every SK payload with our keys" \
      "tshark $(tshark -v | sed -n '1s/.*(Wireshark) \([^ ]*\).*/\1/p') has no ChaCha20-Poly1305 for IKEv2"
  else
    check "$1: tshark decrypts every SK payload with our keys" wire_decrypted "$3"
  fi
}

# --- waiting, always bounded ---------------------------------------------
# SECONDS is what an idle machine needs with room to spare; the bound is
# $SLACK times that (a loaded CI machine: swanctl, dumpcap and tshark slow
# down by seconds), which costs nothing while things work.
SLACK=${SLACK:-3}
poll() { # poll SECONDS COMMAND... : until the command succeeds or time is up
  local end=$(( $(date +%s%N) + ${1%.*} * SLACK * 1000000000 )); shift
  until "$@"; do
    [ "$(date +%s%N)" -lt "$end" ] || return 1
    sleep $STEP
  done
}
alive() { kill -0 "$1" 2>/dev/null; }
dead() { ! alive "$1"; }
reap() { # reap PID SECONDS : its exit status, or 124 after killing it at the deadline
  if ! poll "$2" dead "$1"; then kill -KILL "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 124; fi
  wait "$1"
}

# --- one charon in its own namespace ---------------------------------------
# up NAME CHARON_PORT CHARON_NATT_PORT [libipsec] : sets W (the private dir)
# and NS.  With libipsec charon installs Child SAs through kernel-libipsec
# (userspace ESP in UDP, a TUN device ipsec0) and routes the remote subnet
# into it; its end of the tunnel is $CHARON_INNER.  $CHARON_OPTS: more lines
# for the charon section.  With SPLIT=1 ikesim-live gets a namespace of its
# own, LNS, joined to charon's by a veth pair (charon at $HOST, ikesim-live at
# $LIVE_HOST, both free to use ports 500 and 4500; validators.md 3.4), and
# dumpcap captures on that link; else both share NS's loopback (127.0.0.1).
CHARON_OPTS=
up() {
  W=$ROOT/$1 NS=ikesim-$1-$$ LNS= HOST=127.0.0.1 LIVE_HOST=127.0.0.1 CAPTURE_IF=lo
  mkdir -p "$W/ws"
  ip netns add "$NS" || return 1
  NSS+=("$NS")
  ip -n "$NS" link set lo up
  if [ "${SPLIT:-}" = 1 ]; then
    LNS=ikesim-$1-l-$$ HOST=10.203.0.1 LIVE_HOST=10.203.0.2 CAPTURE_IF=vc
    ip netns add "$LNS" || return 1
    NSS+=("$LNS")
    ip -n "$LNS" link set lo up
    ip link add vc netns "$NS" type veth peer name vl netns "$LNS" || return 1
    ip -n "$NS" addr add "$HOST/24" dev vc && ip -n "$LNS" addr add "$LIVE_HOST/24" dev vl &&
      ip -n "$NS" link set vc up && ip -n "$LNS" link set vl up || return 1
  fi
  local kernel=kernel-netlink routes=no
  if [ "${4:-}" = libipsec ]; then
    kernel="kernel-libipsec kernel-netlink" routes=yes
    ip -n "$NS" addr add "$CHARON_INNER/32" dev lo
  fi
  cat > "$W/strongswan.conf" <<CONF
charon {
    port = $2
    port_nat_t = $3
    load_modular = no
    load = random nonce openssl aes sha1 sha2 hmac gmp kdf socket-default $kernel vici counters
    install_routes = $routes
$CHARON_OPTS
    install_virtual_ip = no
    retransmit_timeout = 1.0
    retransmit_base = 1.5
    retransmit_tries = 2
    half_open_timeout = 5
    plugins {
        vici {
            socket = unix://$W/charon.vici
        }
    }
    filelog {
        main {
            path = $W/charon.log
            time_format = %T
            time_add_ms = yes
            flush_line = yes
            append = no
            default = 1
        }
    }
}
CONF
  # dumpcap says "Capturing on" once it captures: start traffic only then
  ip netns exec "$NS" dumpcap -P -i "$CAPTURE_IF" -w "$W/cap.pcap" 2> "$W/dumpcap.err" &
  DUMPCAP=$!
  ip netns exec "$NS" unshare -m sh -c \
    'mount -t tmpfs tmpfs /run && exec env STRONGSWAN_CONF="$0/strongswan.conf" '"$CHARON" \
    "$W" > "$W/charon.out" 2>&1 &
  CHARON_PID=$!   # exec all the way down: this is charon
  poll 5 sw --stats || { echo "# charon did not come up"; diag "$W/charon.out"; return 1; }
  poll 5 grep -q 'Capturing on' "$W/dumpcap.err" || { echo "# dumpcap did not start"; return 1; }
  # "Capturing on" can come before dumpcap sees packets (a case once lost its
  # IKE_SA_INIT): ping in the namespace until dumpcap has counted an echo
  poll 5 probe || { echo "# dumpcap captures nothing"; return 1; }
  PROBE_FRAMES=$(frames)
}
probe() { # one echo on the captured link, counted by dumpcap (a new echo only if none was)
  ip netns exec "$NS" ping -c 1 -W 1 "$LIVE_HOST" >/dev/null
  poll 1 captured 2
}

sw() { # swanctl COMMAND [ARGS] against this run's charon (the command goes first)
  env STRONGSWAN_CONF="$W/strongswan.conf" swanctl "$@" --uri "unix://$W/charon.vici" >"$W/sw.out" 2>&1
}

initiate_ike() { # charon starts a childless IKE SA on connection "peer"
  timeout 10 env STRONGSWAN_CONF="$W/strongswan.conf" swanctl --initiate --ike peer --timeout 5 \
    --uri "unix://$W/charon.vici" > "$W/initiate.out" 2>&1
}

load_conn() { # load_conn LOCAL_ID PROPOSAL CONNECTION-LINES : one connection "peer"
  cat > "$W/swanctl.conf" <<CONF
connections {
    peer {
        version = 2
        local_addrs = $HOST
        proposals = $2
        mobike = no
$3
        local {
            auth = psk
            id = $1
        }
        remote {
            auth = psk
            id = %any
        }
    }
}
secrets {
    ike-psk {
        secret = "$PSK"
    }
}
CONF
  sw --load-all --noprompt --file "$W/swanctl.conf" || { diag "$W/sw.out"; return 1; }
}

frames() { # the frames dumpcap says it has written
  local n; n=$(grep -o 'Packets: [0-9]*' "$W/dumpcap.err" | tail -n 1)
  n=${n#Packets: }
  echo "${n:-0}"
}
captured() { # captured N : dumpcap has written at least N frames
  [ "$(frames)" -ge "$1" ]
}

down() { # stop this run's charon and dumpcap, drop its namespace
  kill -KILL "$CHARON_PID" 2>/dev/null; wait "$CHARON_PID" 2>/dev/null
  # dumpcap hands packets over in blocks: wait for every exchange (each of
  # our messages has a partner from charon) before stopping it
  poll 3 captured $(( PROBE_FRAMES + 2 * $(grep -c ' msg_sent \| esp_echo_answered ' "$W/live.out") )) ||
    echo "# capture incomplete"
  kill -TERM "$DUMPCAP" 2>/dev/null; reap "$DUMPCAP" 5
  ip netns del "$NS"
  [ -z "$LNS" ] || ip netns del "$LNS"
}

bound() { # bound PORT : a UDP socket listens on PORT in ikesim-live's namespace
  ip netns exec "${LNS:-$NS}" ss -Hlun "sport = :$1" | grep -q .
}

live() { # live ARGS... : ikesim-live in its namespace (this run's, or LNS), in the background
  ip netns exec "${LNS:-$NS}" "$LIVE" --psk "$PSK" --retransmit 1,1.5,2 "$@" \
    > "$W/live.out" 2> "$W/live.err" &
  LIVE_PID=$!
}

# --- what the two sides say -------------------------------------------------
our_spis() { # the SPIs of our first established IKE SA: "SPIi SPIr"
  awk '$2 == "sa_established" { print $3, $4; exit }' "$W/live.out"
}
ours_established() { [ -n "$(our_spis)" ]; }
charon_established() { # charon_established ALGORITHMS : our SA, as charon sees it
  local s; s=$(our_spis); [ -n "$s" ] || return 1
  sw --list-sas || return 1
  grep -q "ESTABLISHED, IKEv2, ${s% *}_i\*\? ${s#* }_r" "$W/sw.out" && grep -qF "$1" "$W/sw.out"
}
charon_has_no_sa() { sw --list-sas && ! grep -q 'IKEv2' "$W/sw.out"; }
our_count() { grep -c " $1 " "$W/live.out"; }
our_exit_was() { # our_exit_was STATUS PATTERN : ikesim-live's exit and its last event
  [ "$LIVE_RC" -eq "$1" ] && grep -q "$2" "$W/live.out"
}
charon_said() { grep -q "$1" "$W/charon.log"; }

algorithms() { # charon's name of a proposal in `swanctl --list-sas`
  case $1 in
    aes256gcm16-prfsha256-x25519) echo AES_GCM_16-256/PRF_HMAC_SHA2_256/CURVE_25519 ;;
    aes128gcm16-prfsha256-x25519) echo AES_GCM_16-128/PRF_HMAC_SHA2_256/CURVE_25519 ;;
    aes128-sha256-modp2048) echo AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048 ;;
    aes128gcm8-prfsha1-modp3072) echo AES_GCM_8-128/PRF_HMAC_SHA1/MODP_3072 ;;
    aes192gcm12-prfsha384-ecp256) echo AES_GCM_12-192/PRF_HMAC_SHA2_384/ECP_256 ;;
    aes256ccm16-prfsha512-ecp384) echo AES_CCM_16-256/PRF_HMAC_SHA2_512/ECP_384 ;;
    aes128ccm8-prfsha256-ecp521) echo AES_CCM_8-128/PRF_HMAC_SHA2_256/ECP_521 ;;
    aes192ccm12-prfsha256-x448) echo AES_CCM_12-192/PRF_HMAC_SHA2_256/CURVE_448 ;;
    chacha20poly1305-prfsha256-x25519) echo CHACHA20_POLY1305/PRF_HMAC_SHA2_256/CURVE_25519 ;;
    aes128-sha1-modp4096) echo AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_4096 ;;
    aes192-sha384-ecp384) echo AES_CBC-192/HMAC_SHA2_384_192/PRF_HMAC_SHA2_384/ECP_384 ;;
    aes256-sha512-x448) echo AES_CBC-256/HMAC_SHA2_512_256/PRF_HMAC_SHA2_512/CURVE_448 ;;
    # two strongSwan 5.9 defaults agree on this (protocol-brief-lifecycle.md 6.1)
    strongswan) echo AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519 ;;
  esac
}
charon_proposal() { # the proposal for swanctl.conf: strongSwan's own defaults for "strongswan"
  if [ "$1" = strongswan ]; then echo default; else echo "$1"; fi
}

# --- tshark on the capture, with our keys -----------------------------------
tsh() { # tsh DISPLAY-FILTER [FIELDS...] : matching frames, decoded with our keylog
  local filter=$1; shift
  local fields=(-e frame.number); local f
  for f in "$@"; do fields+=(-e "$f"); done
  WIRESHARK_CONFIG_DIR=$W/ws tshark -n -r "$W/cap.pcap" "${DECODE[@]}" -Y "$filter" \
    -T fields "${fields[@]}" 2>>"$W/tshark.err"
}
wire_scan() { # one tshark pass with our keys (IKE, and ESP where we logged them); per
  # frame, tab-separated: NUMBER PROTOCOLS EXPERT-SEVERITIES NEXT-PAYLOADS DECRYPTED-SK ESP-ICV-GOOD
  cp "$W/keys" "$W/ws/ikev2_decryption_table" 2>/dev/null || return 1
  [ -f "$W/esp_keys" ] && cp "$W/esp_keys" "$W/ws/esp_sa"
  WIRESHARK_CONFIG_DIR=$W/ws tshark -n -r "$W/cap.pcap" "${DECODE[@]}" -o esp.enable_encryption_decode:TRUE \
    -o esp.enable_authentication_check:TRUE -T fields -E separator=/t -E occurrence=a -E aggregator=, \
    -e frame.number -e frame.protocols -e _ws.expert.severity -e isakmp.nextpayload -e isakmp.enc.decrypted \
    -e esp.icv_good > "$W/scan.txt" 2>>"$W/tshark.err"
}
scan() { awk -F '\t' "$1" "$W/scan.txt"; } # scan AWK-PROGRAM : over wire_scan's frames
wire_clean() { # every datagram is IKE or ESP; none malformed or with a warning (validators.md 2.2);
  # ICMP errors (a closed port at the end) are left out, ICMP inside ESP is not
  wire_scan || return 1
  local ike bad other
  ike=$(scan '$2 ~ /:isakmp/ && $2 !~ /^eth:ethertype:ip:icmp/' | wc -l)
  # Warning (0x00600000) and Error (0x00800000) are the severities >= Warning
  bad=$(scan '$2 !~ /^eth:ethertype:ip:icmp/ && ($2 ~ /_ws\.malformed/ || $3 ~ /6291456|8388608|0x00[68]00000/) { print $1 }')
  other=$(scan '$2 ~ /:udp/ && $2 !~ /:isakmp|:esp|^eth:ethertype:ip:icmp/ { print $1 }')
  echo "# $ike IKE frames in the capture"
  [ -n "$bad" ] && tsh "frame.number in {$(echo $bad)}" _ws.expert.message | sed 's/^/# bad frame: /'
  [ -n "$other" ] && echo "$other" | sed 's/^/# not IKE: frame /'
  [ "$ike" -ge "$1" ] && [ -z "$bad" ] && [ -z "$other" ]
}
wire_decrypted() { # every SK payload decrypted and its inner payloads dissected (after wire_clean)
  local sk dec missing
  sk=$(scan '$4 ~ /(^|,)46(,|$)/' | wc -l)
  dec=$(scan '$5 != ""' | wc -l)
  missing=$(scan '$4 ~ /(^|,)46(,|$)/ && $5 == "" { print $1 }')
  echo "# $dec of $sk frames with SK decrypted by tshark"
  [ "$sk" -ge "$1" ] && [ "$dec" -eq "$sk" ] && [ -z "$missing" ]
}
esp_decrypted() { # esp_decrypted MIN : at least MIN ESP frames, every one decrypted with
  # our esp_sa lines, its ICV good, an ICMP echo inside (after wire_clean)
  local esp good
  esp=$(scan '$2 ~ /:esp/' | wc -l)
  good=$(scan '$2 ~ /:esp:ip:icmp/ && $6 == "1"' | wc -l)
  echo "# $good of $esp ESP frames decrypted by tshark, ICV good, ICMP echo inside"
  [ "$esp" -ge "$1" ] && [ "$good" -eq "$esp" ]
}

# --- the cases --------------------------------------------------------------

# ikesim initiates to charon (port 500, so no non-ESP marker), sends liveness
# checks every second and then Delete.
initiator_case() { # initiator_case TAG PROPOSAL
  local tag=$1 prop=$2
  up "$tag" 500 4500 && load_conn responder@test "$(charon_proposal "$prop")" "        remote_addrs = %any" || return 1
  live --listen 127.0.0.1:7500 --initiate 127.0.0.1:500 --id initiator@test --childless \
    --proposal "$prop" --dpd 1 --delete-after 2.5 --keylog "$W/keys" --exit-after deleted --timeout 10
  poll 5 eval 'ours_established || dead "$LIVE_PID"'
  check "$tag: ikesim-live reports the IKE SA established" ours_established
  check "$tag: charon lists it ESTABLISHED with the same SPIs and $(algorithms "$prop")" \
    poll 2 charon_established "$(algorithms "$prop")"
  reap "$LIVE_PID" 10; LIVE_RC=$?
  check "$tag: charon answered 2 liveness checks" test "$(our_count liveness_answered)" -ge 2
  check "$tag: charon processed our Delete (we exit 0, charon has no SA left)" \
    eval 'our_exit_was 0 "sa_deleted .* reason=local" && charon_said "received DELETE for IKE_SA" && poll 2 charon_has_no_sa'
  down
  DECODE=()
  check "$tag: capture has only well-formed IKE (tshark)" wire_clean 10
  decrypt_check "$tag" "$prop" 8
  [ "$LIVE_RC" -eq 0 ] || { diag "$W/live.out" "$W/live.err"; grep -E '\[(IKE|ENC|CFG)\]' "$W/charon.log" | diag; }
}

# charon initiates to ikesim (ports 6500 -> 5600: neither is 500, so every
# message carries the non-ESP marker), checks liveness every second, then
# deletes the IKE SA.
responder_case() { # responder_case TAG PROPOSAL
  local tag=$1 prop=$2
  up "$tag" 6500 6501 &&
    load_conn initiator@test "$(charon_proposal "$prop")" "        remote_addrs = 127.0.0.1
        remote_port = 5600
        dpd_delay = 1s" || return 1
  live --listen 127.0.0.1:5600 --id responder.test --childless --proposal "$prop" \
    --keylog "$W/keys" --exit-after deleted --timeout 10
  poll 2 bound 5600 || echo "# ikesim-live did not bind 127.0.0.1:5600"
  check "$tag: charon's swanctl --initiate --ike completes" initiate_ike
  # charon may finish before our line is written (slower under sanitizers): wait for it
  check "$tag: ikesim-live reports the IKE SA established as responder" \
    poll 2 eval 'ours_established && grep -q "sa_established .* role=responder" "$W/live.out"'
  check "$tag: charon lists it ESTABLISHED with the same SPIs and $(algorithms "$prop")" \
    charon_established "$(algorithms "$prop")"
  check "$tag: we answer charon's liveness check" \
    poll 3 grep -q 'msg_sent .* INFORMATIONAL response mid=2' "$W/live.out"
  sw --terminate --ike peer --timeout 5
  reap "$LIVE_PID" 5; LIVE_RC=$?
  check "$tag: charon's Delete is processed (we exit 0, charon has no SA left)" \
    eval 'our_exit_was 0 "sa_deleted .* reason=delete" && poll 2 charon_has_no_sa'
  down
  DECODE=(-d udp.port==5600,udpencap -d udp.port==6500,udpencap)
  check "$tag: capture has only well-formed IKE behind non-ESP markers (tshark)" wire_clean 8
  decrypt_check "$tag" "$prop" 6
  [ "$LIVE_RC" -eq 0 ] || { diag "$W/live.out" "$W/live.err"; grep -E '\[(IKE|ENC|CFG)\]' "$W/charon.log" | diag; }
}

# A wrong PSK: charon refuses our AUTH and we report auth-failed, fast.
wrong_psk_case() {
  local tag=wrong-psk
  up "$tag" 500 4500 && load_conn responder@test "${PROPOSALS[0]}" "        remote_addrs = %any" || return 1
  ip netns exec "$NS" "$LIVE" --psk not-the-psk --listen 127.0.0.1:7500 --initiate 127.0.0.1:500 \
    --id initiator@test --childless --exit-after established --timeout 5 > "$W/live.out" 2> "$W/live.err" &
  LIVE_PID=$!
  reap "$LIVE_PID" 6; LIVE_RC=$?
  check "$tag: charon refuses our AUTH; we exit 1 with auth-failed" \
    eval 'our_exit_was 1 "sa_deleted .* reason=auth_failed" && charon_said "MAC mismatched" && charon_said "N(AUTH_FAILED)"'
  down
}

# IKE_AUTH with a Child SA: this kernel has no ESP, so charon refuses the
# Child SA but keeps the IKE SA; the model must cope with that answer.
child_refused_case() {
  local tag=child-refused
  up "$tag" 500 4500 && load_conn responder@test "${PROPOSALS[0]}" "        remote_addrs = %any
        children {
            c {
                esp_proposals = aes256gcm16
            }
        }" || return 1
  live --listen 127.0.0.1:7500 --initiate 127.0.0.1:500 --id initiator@test \
    --exit-after established --timeout 5
  reap "$LIVE_PID" 6; LIVE_RC=$?
  check "$tag: a refused Child SA leaves the IKE SA up on both sides" \
    eval 'our_exit_was 0 "sa_established" && ! grep -q child_established "$W/live.out" && charon_established "$(algorithms "${PROPOSALS[0]}")"'
  down
}

# strongSwan does not implement QCD (RFC 6290): a QCD-enabled ikesim must
# still interoperate with it, in both roles (validators.md 3.8).
qcd_case() {
  local tag=qcd-initiator
  up "$tag" 500 4500 && load_conn responder@test "${PROPOSALS[0]}" "        remote_addrs = %any" || return 1
  live --listen 127.0.0.1:7500 --initiate 127.0.0.1:500 --id initiator@test --childless \
    --qcd both --keylog "$W/keys" --exit-after established --timeout 5
  reap "$LIVE_PID" 6; LIVE_RC=$?
  check "$tag: charon ignores our QCD token and establishes the IKE SA" \
    eval 'our_exit_was 0 "sa_established" && charon_said "parsed IKE_AUTH request 1 .*N(CRASH_DET)" && charon_established "$(algorithms "${PROPOSALS[0]}")"'
  down
  DECODE=()
  check "$tag: the token is on the wire, 32 octets, in a well-formed IKE_AUTH (tshark)" \
    eval 'wire_clean 4 && [ "$(tsh "isakmp.notify.msgtype == 16419 && isakmp.exchangetype == 35" isakmp.notify.data.qcd.token_secret_data | awk "{ print length(\$2) }")" = 64 ]'

  tag=qcd-responder
  up "$tag" 6500 6501 && load_conn initiator@test "${PROPOSALS[0]}" "        remote_addrs = 127.0.0.1
        remote_port = 5600" || return 1
  live --listen 127.0.0.1:5600 --id responder.test --childless --qcd both --exit-after established --timeout 5
  poll 2 bound 5600 || echo "# ikesim-live did not bind 127.0.0.1:5600"
  initiate_ike
  reap "$LIVE_PID" 6; LIVE_RC=$?
  check "$tag: charon accepts our IKE_AUTH response with a QCD token" \
    eval 'our_exit_was 0 "sa_established" && charon_said "parsed IKE_AUTH response 1 .*N(CRASH_DET)" && charon_established "$(algorithms "${PROPOSALS[0]}")"'
  down
}

# RFC 6311 after a simulated failover, with charon as the peer: charon
# initiates (charon implements the peer side only as initiator, and only when
# our IKE_AUTH response asserts 16420, validators.md 3.8) and checks liveness
# every second.  ikesim-live replicates the IKE SA once, when it is up; 2.5 s
# later it drops its endpoint, a new one imports that replica (its count of
# charon's requests is behind by the liveness checks since) and sends
# IKEV2_MESSAGE_ID_SYNC.  charon must answer, and its next request must carry
# the agreed Message ID and be answered by the new member.
ha_line() { # ha_line EVENT : our first line of this event
  awk -v e="$1" '$2 == e { print; exit }' "$W/live.out"
}
ha_field() { # ha_field LINE KEY : the value of KEY=VALUE in LINE
  echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}
sync_wire() { # the N(16422) messages: "FLAGS MID NONCE SEND RECV", decimal MIDs
  local frame flags mid nonce send recv
  tsh 'isakmp.notify.msgtype == 16422' isakmp.flags isakmp.messageid isakmp.notify.data.ha.nonce_data \
    isakmp.notify.data.ha.expected_send_req_message_id isakmp.notify.data.ha.expected_recv_req_message_id |
    while read -r frame flags mid nonce send recv; do
      printf '0x%02x %d %s %d %d\n' "$flags" "$mid" "${nonce#0x}" "$send" "$recv"
    done
}
request_after_sync() { # the MID of charon's first INFORMATIONAL request after the sync answer
  local answer frame mid
  answer=$(tsh 'isakmp.notify.msgtype == 16422 && isakmp.flags == 0x28' | head -n 1)
  [ -n "$answer" ] || return 1
  read -r frame mid < <(tsh "isakmp.exchangetype == 37 && isakmp.flags == 0x08 && frame.number > $answer" \
    isakmp.messageid)
  [ -n "${mid:-}" ] && printf '%d\n' "$mid"
}
next_request_answered() { # next_request_answered MID : charon's first request
  # after the sync answer, as we saw it, had this MID, and we answered it
  awk -v want="mid=$1" '$2 == "ha_sync_answered" { s = 1; next }
    s && $2 == "msg_received" && $6 == "request" { found = ($7 == want); exit }
    END { exit !found }' "$W/live.out" &&
    grep -q "msg_sent .* INFORMATIONAL response mid=$1 " "$W/live.out"
}
ha_case() {
  local tag=ha-mid-sync prop=${PROPOSALS[0]}
  up "$tag" 6500 6501 &&
    load_conn initiator@test "$(charon_proposal "$prop")" "        remote_addrs = 127.0.0.1
        remote_port = 5600
        dpd_delay = 1s" || return 1
  live --listen 127.0.0.1:5600 --id responder.test --childless --proposal "$prop" \
    --keylog "$W/keys" --ha-failover-after 2.5 --exit-after deleted --timeout 15
  poll 2 bound 5600 || echo "# ikesim-live did not bind 127.0.0.1:5600"
  initiate_ike
  check "$tag: 16420 negotiated (charon parses N(MSG_ID_SYN_SUP) in our IKE_AUTH response)" \
    poll 2 eval 'ours_established && charon_said "parsed IKE_AUTH response 1 .*N(MSG_ID_SYN_SUP)"'
  poll 5 eval 'grep -q " ha_sync_answered " "$W/live.out" || dead "$LIVE_PID"'
  local fo sent ans m1 p1 m2 p2
  fo=$(ha_line failover) sent=$(ha_line ha_sync_sent) ans=$(ha_line ha_sync_answered)
  m1=$(ha_field "$sent" m) p1=$(ha_field "$sent" p) m2=$(ha_field "$ans" m) p2=$(ha_field "$ans" p)
  echo "# ${fo:-no failover line}"
  echo "# M1=${m1:-?} P1=${p1:-?} nonce=$(ha_field "$sent" nonce); M2=${m2:-?} P2=${p2:-?} nonce=$(ha_field "$ans" nonce)"
  grep 'MID sync' "$W/charon.log" | diag
  check "$tag: the failover's replica is behind the lost member (charon's requests it missed)" \
    eval '[ -n "$fo" ] && [ "$(ha_field "$fo" replica_in)" -lt "$(ha_field "$fo" in)" ] &&
          grep -q " sa_imported " "$W/live.out"'
  check "$tag: charon answers our MID sync; the new member accepts the answer (nonce echoed)" \
    eval '[ -n "$ans" ] && [ "$(ha_field "$ans" nonce)" = "$(ha_field "$sent" nonce)" ] &&
          charon_said "responder requested MID sync: initiating $p2\[[0-9]*\], responding $m2\[[0-9]*\]"'
  check "$tag: M2 >= M1 and P2 >= P1 (RFC 6311 5.1); P2 is above the replica's P1" \
    eval '[ -n "$m2$p2" ] && [ "$m2" -ge "$m1" ] && [ "$p2" -gt "$p1" ]'
  check "$tag: charon's next request uses P2 and the new member answers it" \
    poll 4 next_request_answered "$p2"
  sw --terminate --ike peer --timeout 5
  reap "$LIVE_PID" 5; LIVE_RC=$?
  check "$tag: the imported SA lives on: charon's Delete is processed (we exit 0)" \
    eval 'our_exit_was 0 "sa_deleted .* reason=delete" && poll 2 charon_has_no_sa'
  down
  DECODE=(-d udp.port==5600,udpencap -d udp.port==6500,udpencap)
  check "$tag: capture has only well-formed IKE, every SK payload decrypted (tshark)" \
    eval 'wire_clean 10 && wire_decrypted 8'
  local want_req="0x00 0 $(ha_field "$sent" nonce) $m1 $p1" want_resp="0x28 0 $(ha_field "$ans" nonce) $p2 $m2"
  sync_wire > "$W/sync.txt"
  diag "$W/sync.txt"
  check "$tag: tshark decodes N(16422): request flags 0x00 MID 0 nonce/M1/P1, answer flags 0x28 MID 0 nonce/P2/M2" \
    eval '[ "$(cat "$W/sync.txt")" = "$want_req
$want_resp" ]'
  check "$tag: on the wire, charon's first request after the sync has MID P2 (tshark)" \
    eval '[ "$(request_after_sync)" = "$p2" ]'
  [ "$LIVE_RC" -eq 0 ] || { diag "$W/live.out" "$W/live.err"; grep -E '\[(IKE|ENC|CFG)\]' "$W/charon.log" | diag; }
}

run() { # run CHECKS CASE [TAG PROPOSAL] : a case, padded with "not ok" if it stopped early
  local want=$((N + $1)) name=${3:-$2}; shift
  "$@" || echo "# $name: setup failed"
  while [ "$N" -lt "$want" ]; do check "$name: not run" false; done
}

# Child SAs with charon's kernel-libipsec (userspace ESP, in UDP only): our
# IKE_SA_INIT carries NAT-D (--nat-t), charon then fakes a NAT to force UDP
# encapsulation and installs the Child SA (validators.md 3.2).  A ping from
# charon's end of the tunnel into ours goes out as ESP in UDP, ikesim-live
# opens it with the Child SA's keys and answers through it.  Then one side
# rekeys the Child SA (charon: rekey_time 3 s, rand_time 0, so at 2-3 s;
# ikesim-live: --child-rekey 2) and deletes the old one, and a second ping
# takes the new SA.
CHARON_INNER=10.201.0.1 OUR_INNER=10.202.0.1 CHILD_PROP=aes256gcm16-prfsha256-x25519
children_conf() { # children_conf REKEY_TIME : charon's Child SA "net"
  cat <<CONF
        children {
            net {
                local_ts = 10.201.0.0/24
                remote_ts = 10.202.0.0/24
                esp_proposals = aes256gcm16
                rekey_time = $1
                rand_time = 0s
                life_time = 60s
            }
        }
CONF
}
our_children() { # every Child SA we installed: "ESP_IN ESP_OUT", oldest first
  awk '$2 == "child_established" || $2 == "child_rekeyed" { sub("esp_in=", "", $5); sub("esp_out=", "", $6); print $5, $6 }' "$W/live.out"
}
nth_child() { our_children | sed -n "${1}p"; }
charon_children() { # charon's Child SAs of "net", one a line:
  # "STATE SPI_IN SPI_OUT PACKETS_IN PACKETS_OUT" (swanctl --list-sas)
  sw --list-sas || return 1
  awk '$1 == "net:" { st = $5; sub(",", "", st) }
       st && $1 == "in" { i = $2; pi = $5; sub(",", "", i) }
       st && $1 == "out" { o = $2; sub(",", "", o); print st, i, o, pi, $5; st = "" }' "$W/sw.out"
}
charon_has_only() { # charon_has_only "ESP_IN ESP_OUT" [PACKETS] : charon's only Child SA
  # is the mirror of ours (and has carried PACKETS each way); replaced ones
  # it lists as DELETED for a while (inbound kept for delete_rekeyed_delay)
  local c; c=$(charon_children) || return 1
  echo "$c" > "$W/children.txt"
  c=$(echo "$c" | grep -v '^DELETED ')
  [ "${c% * *}" = "INSTALLED ${1#* } ${1% *}" ] && { [ -z "${2:-}" ] || [ "${c#* * * }" = "$2 $2" ]; }
}
ping_through() { # one echo from charon's end of the tunnel to ours, answered
  ip netns exec "$NS" ping -n -c 1 -W 3 -I "$CHARON_INNER" "$OUR_INNER" > "$W/ping.out" 2>&1
}
last_esp() { # the Child SA the last ping took, as we saw it: "ESP_IN ESP_OUT"
  local in out
  in=$(awk '$2 == "esp_received" { s = $5 } END { sub("spi=", "", s); print s }' "$W/live.out")
  out=$(awk '$2 == "esp_echo_answered" { s = $5 } END { sub("spi=", "", s); print s }' "$W/live.out")
  echo "$in $out"
}
latest_child() { our_children | tail -n 1; }
rekey_wire() { # the first rekey as tshark decrypts it: CREATE_CHILD_SA request and
  # response, then the Delete request and response: "EXCHANGE NOTIFIES SPIS DELETED_SPI"
  tsh 'isakmp.exchangetype == 36 || isakmp.delete.protoid == 3' isakmp.exchangetype isakmp.notify.msgtype \
    isakmp.spi isakmp.delete.spi | head -n 4 | awk -F '\t' '{ print $2, ($3 == "" ? "-" : $3), ($4 == "" ? "-" : $4), ($5 == "" ? "-" : $5) }'
}
want_rekey_wire() { # want_rekey_wire REKEYER FIRST SECOND : what rekey_wire must say
  # (the rekeyer names the SA by its inbound SPI, proposes its new inbound
  # SPI, the other answers with its own; each Delete names the sender's inbound SPI)
  local a=${2% *} b=${2#* } c=${3% *} d=${3#* }
  if [ "$1" = charon ]; then
    printf '36 16393 %s,%s -\n36 - %s -\n37 - - %s\n37 - - %s\n' "$b" "$d" "$c" "$b" "$a"
  else
    printf '36 16393 %s,%s -\n36 - %s -\n37 - - %s\n37 - - %s\n' "$a" "$c" "$d" "$a" "$b"
  fi
}
child_run() { # child_run TAG ROLE CONNECTION-LINES [LIVE-ARGS...] : charon with
  # kernel-libipsec as the IKE ROLE and ikesim-live with --nat-t set up an IKE
  # SA with the Child SA "net" (charon initiates it, or we do, to its port
  # 4500); DECODE says how tshark finds the IKE messages
  local tag=$1 role=$2 conn=$3; shift 3
  if [ "$role" = initiator ]; then
    up "$tag" 6500 6501 libipsec && load_conn initiator@test "$CHILD_PROP" "        remote_addrs = 127.0.0.1
        remote_port = 5600
$conn" || return 1
    live --listen 127.0.0.1:5600 --id responder.test --nat-t --proposal "$CHILD_PROP" --keylog "$W/keys" \
      --esp-keylog "$W/esp_keys" "$@"
    poll 2 bound 5600 || echo "# ikesim-live did not bind 127.0.0.1:5600"
    timeout 10 env STRONGSWAN_CONF="$W/strongswan.conf" swanctl --initiate --child net --timeout 5 \
      --uri "unix://$W/charon.vici" > "$W/initiate.out" 2>&1
    DECODE=(-d udp.port==5600,udpencap -d udp.port==6500,udpencap -d udp.port==6501,udpencap)
  else
    up "$tag" 500 4500 libipsec && load_conn responder@test "$CHILD_PROP" "        remote_addrs = %any
$conn" || return 1
    live --listen 127.0.0.1:7500 --initiate 127.0.0.1:4500 --id initiator@test --nat-t --proposal "$CHILD_PROP" \
      --keylog "$W/keys" --esp-keylog "$W/esp_keys" "$@"
    DECODE=(-d udp.port==7500,udpencap)
  fi
}
charon_ends() { # charon_ends TAG IKE SK ESP : charon deletes the IKE SA; we see its Delete
  # and exit; then the capture, at least IKE frames, SK payloads and ESP frames, all clean
  sw --terminate --ike peer --timeout 5
  reap "$LIVE_PID" 5; LIVE_RC=$?
  check "$1: charon's Delete is processed (we exit 0, charon has no SA left)" \
    eval 'our_exit_was 0 "sa_deleted .* reason=delete" && poll 2 charon_has_no_sa'
  down
  check "$1: capture has only well-formed IKE and ESP, every SK payload and ESP packet decrypted (tshark)" \
    eval "wire_clean $2 && wire_decrypted $3 && esp_decrypted $4"
}
child_case() { # child_case TAG ROLE REKEYER : charon is the IKE ROLE; REKEYER rekeys
  local tag=$1 role=$2 rekeyer=$3 charon_rekey=0s live_rekey=()
  if [ "$rekeyer" = charon ]; then charon_rekey=3s; else live_rekey=(--child-rekey 2); fi
  child_run "$tag" "$role" "$(children_conf $charon_rekey)" "${live_rekey[@]}" --exit-after deleted \
    --timeout 20 || return 1
  poll 5 eval '[ -n "$(nth_child 1)" ] || dead "$LIVE_PID"'
  local first second
  first=$(nth_child 1)
  echo "# first Child SA, ours: in/out ${first:-none}"
  check "$tag: charon installs the Child SA in UDP with our SPIs mirrored" \
    eval '[ -n "$first" ] && poll 2 charon_has_only "$first" && grep -q "TUNNEL-in-UDP, ESP:AES_GCM_16-256" "$W/sw.out"'
  check "$tag: a ping from charon's end of the tunnel is answered through it (ESP in UDP, 1 packet each way)" \
    eval 'ping_through && [ "$(last_esp)" = "$first" ] && charon_has_only "$first" 1'
  poll 8 eval '[ -n "$(nth_child 2)" ] || dead "$LIVE_PID"'
  second=$(nth_child 2)
  echo "# rekeyed Child SA, ours: in/out ${second:-none}"
  check "$tag: $rekeyer rekeys the Child SA; charon keeps only the new one installed (new SPIs both ways)" \
    eval '[ -n "$second" ] && [ "${second% *}" != "${first% *}" ] && [ "${second#* }" != "${first#* }" ] &&
          poll 3 eval "charon_has_only \"\$(latest_child)\""'
  # (charon rekeys every 2-3 s: under load a third Child SA may be the latest)
  check "$tag: a second ping takes the latest Child SA, not the first" \
    eval 'ping_through && [ "$(last_esp)" = "$(latest_child)" ] && [ "$(last_esp)" != "$first" ]'
  charon_ends "$tag" 10 8 4
  rekey_wire > "$W/rekey.txt"
  diag "$W/rekey.txt"
  check "$tag: on the wire (decrypted): N(REKEY_SA) names the old SA, new SPIs both ways, Delete of both old halves" \
    eval '[ "$(cat "$W/rekey.txt")" = "$(want_rekey_wire "$rekeyer" "$first" "$second")" ]'
  [ "$LIVE_RC" -eq 0 ] || { diag "$W/live.out" "$W/live.err"; grep -E '\[(IKE|ENC|CFG|CHD|ESP)\]' "$W/charon.log" | diag; }
}

# Port float (RFC 7296 2.23): charon and ikesim-live in two namespaces joined
# by a veth pair, each on ports 500 and 4500.  The IKE initiator (charon or
# ikesim-live --nat-t) sends IKE_SA_INIT from 500 to 500; its NAT-D shows a
# NAT (charon fakes one for kernel-libipsec, which only does ESP in UDP), so
# IKE_AUTH and every later IKE message go from 4500 to 4500 with the non-ESP
# marker, and so does the ESP of the Child SA a ping then takes.
port_wire() { # the IKE messages as "SRC-PORT DST-PORT EXCHANGE MARKER", MARKER
  # 1 with the non-ESP marker, else 0; then "esp SRC-PORT DST-PORT" per ESP frame
  tsh 'isakmp && udpencap.non_esp_marker' > "$W/marked.txt"
  tsh 'isakmp' udp.srcport udp.dstport isakmp.exchangetype |
    awk -F '\t' 'NR == FNR { m[$1] = 1; next } { print $2, $3, $4, ($1 in m) }' "$W/marked.txt" -
  tsh 'esp' udp.srcport udp.dstport | awk -F '\t' '{ print "esp", $2, $3 }'
}
floated() { # what port_wire must show: IKE_SA_INIT on 500 unmarked, the rest on 4500 marked
  awk '$1 == "esp" { if ($2 != 4500 || $3 != 4500) bad++; esp++; next }
       $3 == 34 { if ($1 != 500 || $2 != 500 || $4 != 0) bad++; init++; next }
       { if ($1 != 4500 || $2 != 4500 || $4 != 1) bad++; if ($3 == 35) auth++; other++ }
       END { exit !(init == 2 && auth == 2 && other >= 4 && esp >= 2 && !bad) }' "$1"
}
charon_floated() { # charon lists its IKE SA between the two hosts' ports 4500
  sw --list-sas && grep -q "local  .* @ $HOST\[4500\]" "$W/sw.out" && grep -q "remote .* @ $LIVE_HOST\[4500\]" "$W/sw.out"
}
float_case() { # float_case TAG ROLE : charon is the IKE ROLE
  local tag=$1 role=$2 child
  SPLIT=1 up "$tag" 500 4500 libipsec || return 1
  if [ "$role" = initiator ]; then
    load_conn initiator@test "$CHILD_PROP" "        remote_addrs = $LIVE_HOST
$(children_conf 0s)" || return 1
    live --listen "$LIVE_HOST:500" --id responder.test --nat-t --proposal "$CHILD_PROP" --keylog "$W/keys" \
      --esp-keylog "$W/esp_keys" --exit-after deleted --timeout 20
    poll 2 bound 4500 || echo "# ikesim-live did not bind $LIVE_HOST:4500"
    timeout 10 env STRONGSWAN_CONF="$W/strongswan.conf" swanctl --initiate --child net --timeout 5 \
      --uri "unix://$W/charon.vici" > "$W/initiate.out" 2>&1
  else
    load_conn responder@test "$CHILD_PROP" "        remote_addrs = %any
$(children_conf 0s)" || return 1
    live --listen "$LIVE_HOST:500" --initiate "$HOST:500" --id initiator@test --nat-t --proposal "$CHILD_PROP" \
      --keylog "$W/keys" --esp-keylog "$W/esp_keys" --exit-after deleted --timeout 20
  fi
  DECODE=()
  poll 5 eval '[ -n "$(nth_child 1)" ] || dead "$LIVE_PID"'
  child=$(nth_child 1)
  echo "# Child SA, ours: in/out ${child:-none}"
  check "$tag: the SA is up, charon at $HOST[4500] and ikesim-live at $LIVE_HOST[4500], the Child SA installed in UDP" \
    eval '[ -n "$child" ] && poll 2 charon_has_only "$child" && grep -q "TUNNEL-in-UDP" "$W/sw.out" && charon_floated'
  check "$tag: a ping from charon's end of the tunnel is answered through it (ESP in UDP, 1 packet each way)" \
    eval 'ping_through && [ "$(last_esp)" = "$child" ] && charon_has_only "$child" 1'
  charon_ends "$tag" 6 4 2
  port_wire > "$W/float.txt"
  diag "$W/float.txt"
  check "$tag: on the wire: IKE_SA_INIT 500 -> 500 without marker; IKE_AUTH and the rest 4500 -> 4500 with the non-ESP marker; ESP on 4500" \
    floated "$W/float.txt"
  [ "$LIVE_RC" -eq 0 ] || { diag "$W/live.out" "$W/live.err"; grep -E '\[(IKE|ENC|CFG|CHD|NET)\]' "$W/charon.log" | diag; }
}

# Reauthentication, make-before-break (RFC 7296 2.8.3): the reauthenticating
# side builds a new IKE SA and Child SA next to the old ones, then deletes
# the old IKE SA.  charon (strongSwan's charon.make_before_break, the IKE
# initiator, reauth_time 2 s), or ikesim-live (--reauth 2 --reauth-mode mbb,
# the IKE initiator towards charon).  A ping every 0.1 s from charon's end of
# the tunnel runs across it and must lose nothing.
ike_sas() { # our established IKE SAs: "SPIi SPIr", oldest first
  awk '$2 == "sa_established" { print $3, $4 }' "$W/live.out"
}
line_of() { # line_of REGEX : the number of our first log line matching it
  grep -n -m 1 -E "$1" "$W/live.out" | cut -d: -f1
}
charon_ike_only() { # charon_ike_only "SPIi SPIr" : its only IKE SA, ESTABLISHED
  sw --list-sas || return 1
  [ "$(grep -c 'IKEv2' "$W/sw.out")" -eq 1 ] && grep -q "ESTABLISHED, IKEv2, ${1% *}_i\*\? ${1#* }_r" "$W/sw.out"
}
reauth_case() { # reauth_case TAG REAUTHER
  local tag=$1 by=$2 role=initiator why=delete # how the old IKE SA ends on our side
  if [ "$by" = charon ]; then
    CHARON_OPTS="    make_before_break = yes" child_run "$tag" initiator "        reauth_time = 2s
        rand_time = 0s
        over_time = 20s
$(children_conf 0s)" || return 1
  else
    role=responder why=local
    child_run "$tag" responder "$(children_conf 0s)" --reauth 2 --reauth-mode mbb || return 1
  fi
  poll 2 eval '[ -n "$(nth_child 1)" ]'
  # 30 echoes, 0.1 s apart, across the reauthentication at 2 s (charon
  # reauthenticates every 2 s: under load the checks may meet a third IKE SA)
  ip netns exec "$NS" ping -n -c 30 -i 0.1 -W 1 -I "$CHARON_INNER" "$OUR_INNER" > "$W/ping.out" 2>&1 &
  local ping_pid=$! old new
  poll 8 eval '[ "$(ike_sas | wc -l)" -ge 2 ] && grep -q " sa_deleted $(ike_sas | sed -n 1p) " "$W/live.out"'
  old=$(ike_sas | sed -n 1p) new=$(ike_sas | sed -n 2p)
  echo "# IKE SAs: old ${old:-none}, new ${new:-none}"
  local ours; ours=$([ "$role" = initiator ] && echo responder || echo initiator)
  check "$tag: $by reauthenticates: a second IKE SA with new SPIs and its Child SA, ours as $ours" \
    eval '[ -n "$new" ] && [ "${new% *}" != "${old% *}" ] && [ "$(nth_child 2 | wc -w)" -eq 2 ] &&
          grep -q "sa_established ${new% *} ${new#* } role=$ours" "$W/live.out"'
  check "$tag: make before break: the new IKE SA and Child SA are up before the old IKE SA's Delete" \
    eval 'a=$(line_of " child_established ${new% *} ") d=$(line_of " msg_(sent|received) ${old% *} ${old#* } INFORMATIONAL request") &&
          [ -n "$a" ] && [ -n "$d" ] && [ "$a" -lt "$d" ] &&
          grep -q " sa_deleted ${old% *} ${old#* } reason=$why" "$W/live.out"'
  check "$tag: charon keeps only the new IKE SA, its Child SA mirrors ours" \
    eval 'poll 2 eval "charon_ike_only \"\$(ike_sas | tail -n 1)\"" && poll 2 eval "charon_has_only \"\$(latest_child)\""'
  reap "$ping_pid" 10
  diag "$W/ping.out" | tail -n 2
  check "$tag: 30 echoes across the reauthentication, none lost, the last ones through the new Child SA" \
    eval 'grep -q "30 packets transmitted, 30 received" "$W/ping.out" && [ "$(last_esp)" = "$(latest_child)" ] &&
          [ "$(last_esp)" != "$(nth_child 1)" ]'
  sw --terminate --ike peer --timeout 5
  poll 3 eval 'grep -q " sa_deleted $(ike_sas | tail -n 1) reason=delete" "$W/live.out"'
  kill -TERM "$LIVE_PID"; reap "$LIVE_PID" 5; LIVE_RC=$?
  down
  check "$tag: capture well-formed, every SK payload of both IKE SAs and all 60 ESP packets decrypted (tshark)" \
    eval 'wire_clean 12 && wire_decrypted 8 && [ "$(wc -l < "$W/keys")" -eq "$(ike_sas | wc -l)" ] && esp_decrypted 60'
  check "$tag: on the wire: the new IKE_AUTH request has no INITIAL_CONTACT, the old IKE SA's Delete follows it" \
    eval 'auth=$(tsh "isakmp.exchangetype == 35 && isakmp.flags == 0x08 && isakmp.ispi == ${new% *}" isakmp.notify.msgtype) &&
          [ -n "$auth" ] && ! echo "$auth" | grep -qw 16384 &&
          del=$(tsh "isakmp.delete.protoid == 1 && isakmp.ispi == ${old% *}" | head -n 1) &&
          [ -n "$del" ] && [ "${del%%[[:space:]]*}" -gt "${auth%%[[:space:]]*}" ]'
  [ "$LIVE_RC" -eq 0 ] || { diag "$W/live.out" "$W/live.err"; grep -E '\[(IKE|ENC|CFG|CHD)\]' "$W/charon.log" | diag; }
}

# IKE SA rekey (RFC 7296 1.3.2, 2.18) with a Child SA through charon's
# kernel-libipsec: one side rekeys the IKE SA (charon: rekey_time 2 s,
# rand_time 0; ikesim-live: --rekey-ike 1), the other follows; the old IKE
# SA is deleted, the Child SA moves to the new one (a ping still takes it),
# Message IDs start again at 0, and our key table gets a line for the new
# SPIs so that tshark decrypts every SK payload on both sides of the rekey.
ike_rekeyed() { # our first IKE SA rekey: "OLD_SPIi OLD_SPIr NEW_SPIi NEW_SPIr"
  awk '$2 == "sa_rekeyed" { split(substr($5, 5), o, "_"); print o[1], o[2], $3, $4; exit }' "$W/live.out"
}
ike_rekey_wire() { # the rekey and the Deletes of IKE SAs, as tshark decrypts them:
  # "SPIi EXCHANGE MID PROPOSAL-PROTOCOL PROPOSAL-SPI"
  tsh 'isakmp.exchangetype == 36 || isakmp.delete.protoid == 1' isakmp.ispi isakmp.exchangetype \
    isakmp.messageid isakmp.prop.protoid isakmp.spi |
    awk -F '\t' '{ print $2, $3, $4, ($5 == "" ? "-" : $5), ($6 == "" ? "-" : $6) }'
}
ike_rekey_case() { # ike_rekey_case TAG ROLE REKEYER : charon is the IKE ROLE; REKEYER rekeys
  local tag=$1 role=$2 rekeyer=$3 ike_life="        over_time = 20s" live_rekey=()
  if [ "$rekeyer" = charon ]; then
    ike_life+=$'\n        rekey_time = 2s\n        rand_time = 0s'
  else
    live_rekey=(--rekey-ike 1)
  fi
  child_run "$tag" "$role" "$ike_life
$(children_conf 0s)" "${live_rekey[@]}" --exit-after deleted --timeout 20 || return 1
  poll 5 eval '[ -n "$(nth_child 1)" ] || dead "$LIVE_PID"'
  local child r oi or ni nr
  child=$(nth_child 1)
  check "$tag: charon lists our IKE SA and installs the Child SA; a ping takes it" \
    eval '[ -n "$child" ] && poll 2 eval "charon_ike_only \"\$(ike_sas | head -n 1)\"" && charon_has_only "$child" &&
          ping_through && [ "$(last_esp)" = "$child" ]'
  poll 8 eval '[ -n "$(ike_rekeyed)" ] || dead "$LIVE_PID"'
  r=$(ike_rekeyed)
  read -r oi or ni nr <<< "${r:-- - - -}"
  echo "# IKE SA rekeyed: ${oi}_i ${or}_r -> ${ni}_i ${nr}_r"
  check "$tag: $rekeyer rekeys the IKE SA, the other follows: charon has only the new SPIs" \
    eval '[ -n "$r" ] && [ "$oi" = "$(ike_sas | head -n 1 | cut -d " " -f 1)" ] && [ "$ni" != "$oi" ] && [ "$nr" != "$or" ] &&
          poll 3 charon_ike_only "$ni $nr"'
  check "$tag: the Child SA moved to the new IKE SA: charon keeps it installed, a second ping takes it" \
    eval 'charon_has_only "$child" && ping_through && [ "$(last_esp)" = "$child" ] &&
          [ "$(grep -c " esp_echo_answered ${ni} ${nr} " "$W/live.out")" -ge 1 ]'
  sw --terminate --ike peer --timeout 5
  reap "$LIVE_PID" 5; LIVE_RC=$?
  check "$tag: charon's Delete of the new IKE SA is processed (we exit 0, charon has no SA left)" \
    eval 'our_exit_was 0 "sa_deleted $ni $nr reason=delete" && poll 2 charon_has_no_sa'
  down
  check "$tag: capture well-formed, every SK payload decrypted across the rekey (key table: old and new SPIs), every ESP packet too" \
    eval 'wire_clean 10 && wire_decrypted 8 && grep -q "^$oi,$or," "$W/keys" && grep -q "^$ni,$nr," "$W/keys" &&
          esp_decrypted 4'
  ike_rekey_wire > "$W/ikerekey.txt"
  diag "$W/ikerekey.txt"
  check "$tag: on the wire: CREATE_CHILD_SA with an IKE proposal carrying each new SPI, Delete of the old IKE SA, MIDs from 0 on the new" \
    eval '[ "$(cut -d " " -f 1,2,4,5 "$W/ikerekey.txt")" = "$oi 36 1 $ni
$oi 36 1 $nr
$oi 37 - -
$ni 37 - -" ] && [ "$(sed -n 4p "$W/ikerekey.txt" | cut -d " " -f 3)" = 0x00000000 ]'
  [ "$LIVE_RC" -eq 0 ] || { diag "$W/live.out" "$W/live.err"; grep -E '\[(IKE|ENC|CFG|CHD)\]' "$W/charon.log" | diag; }
}

# Both ends rekey the IKE SA at the same moment (RFC 7296 2.8.2): charon with
# rekey_time 2 s, rand_time 0, ikesim-live with --rekey-ike 2, each from its
# own establishment and then from each new SA's; on loopback both requests
# are out before either arrives, round after round.  Both answer, the
# exchange with the lowest nonce makes the redundant SA, its initiator
# deletes it, the other deletes the old one, the Child SA stays.  Whether a
# round collides is up to timing (charon says "detected IKE_REKEY collision");
# what must hold is that every round ends with one IKE SA on both sides.
our_newest_sa() { # the IKE SA we hold now: "SPIi SPIr"
  awk '$2 == "sa_established" || $2 == "sa_rekeyed" { n = $3 " " $4 } END { print n }' "$W/live.out"
}
ike_collide_case() { # ike_collide_case TAG ROLE : charon is the IKE ROLE
  local tag=$1 role=$2 child rounds=4 collided
  child_run "$tag" "$role" "        over_time = 20s
        rekey_time = 2s
        rand_time = 0s
$(children_conf 0s)" --rekey-ike 2 --exit-after deleted --timeout 30 || return 1
  poll 5 eval '[ -n "$(nth_child 1)" ] || dead "$LIVE_PID"'
  child=$(nth_child 1)
  poll 12 eval '[ "$(grep -c " sa_rekeyed " "$W/live.out")" -ge $rounds ] || dead "$LIVE_PID"'
  collided=$(grep -c "detected IKE_REKEY collision with IKE_REKEY" "$W/charon.log")
  # between two rounds (charon may answer late: it drops a message whose ID it is processing)
  check "$tag: rounds of rekeys by both at 2 s end with one IKE SA on both sides, the same SPIs, the Child SA still installed and taken by a ping" \
    eval '[ "$(grep -c " sa_rekeyed " "$W/live.out")" -ge $rounds ] && poll 3 eval "charon_ike_only \"\$(our_newest_sa)\"" &&
          charon_has_only "$child" && ping_through'
  echo "# $(grep -c " sa_rekeyed " "$W/live.out") IKE SA rekeys on our side, charon detected $collided collisions"
  grep -E "IKE_SA rekey collision|did not notice" "$W/charon.log" | diag
  if [ "$collided" -ge 1 ]; then
    check "$tag: the requests crossed (charon: \"detected IKE_REKEY collision\") and charon settled each collision (won, lost, our Delete first, or ours refused)" \
      eval '[ "$(grep -cE "IKE_SA rekey collision (won|lost)|did not notice IKE_SA rekey collision|colliding exchange did not result" "$W/charon.log")" -ge "$collided" ]'
  else
    skip_check "$tag: the requests crossed" "no round collided this time (loopback timing)"
  fi
  sw --terminate --ike peer --timeout 5
  reap "$LIVE_PID" 5; LIVE_RC=$?
  down
  # TEMPORARY_FAILURE only where charon finished its rekey before it saw ours and
  # refused ours as it was deleting that SA (RFC 7296 2.8.2's one-sided case)
  check "$tag: charon's Delete of the last IKE SA processed (we exit 0); capture well-formed, every SK payload decrypted (the redundant SAs' Deletes too), TEMPORARY_FAILURE only from charon closing the SA" \
    eval '[ "$LIVE_RC" -eq 0 ] && wire_clean 10 && wire_decrypted 12 &&
          [ "$(tsh "isakmp.notify.msgtype == 43" | wc -l)" -eq "$(grep -c "peer initiated rekeying, but we are deleting" "$W/charon.log")" ]'
  [ "$LIVE_RC" -eq 0 ] || { diag "$W/live.out" "$W/live.err"; grep -E '\[(IKE|ENC|CFG|CHD)\]' "$W/charon.log" | diag; }
}

# every run: "CHECKS CASE [TAG PROPOSAL]"; ONLY=REGEX keeps the runs whose
# case or tag matches (while working on one of them)
RUNS=()
for p in "${PROPOSALS[@]}"; do RUNS+=("6 initiator_case init-$p $p"); done
for p in "${PROPOSALS[@]}"; do RUNS+=("7 responder_case resp-$p $p"); done
RUNS+=("1 wrong_psk_case" "1 child_refused_case" "3 qcd_case" "9 ha_case")
for role in initiator responder; do
  for by in charon ikesim; do RUNS+=("7 child_case child-$role-$by-rekeys $role $by"); done
done
RUNS+=("6 reauth_case reauth-mbb-by-charon charon" "6 reauth_case reauth-mbb-by-ikesim ikesim")
for role in initiator responder; do RUNS+=("5 float_case float-charon-$role $role"); done
for role in initiator responder; do
  for by in charon ikesim; do RUNS+=("6 ike_rekey_case ike-rekey-$role-$by $role $by"); done
done
for role in initiator responder; do RUNS+=("3 ike_collide_case ike-collide-$role $role"); done
PLAN=0 SELECTED=()
for r in "${RUNS[@]}"; do
  [ -z "${ONLY:-}" ] || [[ $r =~ ${ONLY} ]] || continue
  SELECTED+=("$r"); PLAN=$((PLAN + ${r%% *}))
done

T0=$(date +%s%N)
echo "1..$PLAN"
for r in "${SELECTED[@]}"; do run $r; done
echo "# $N checks, $FAILED failed, $(( ($(date +%s%N) - T0) / 1000000 )) ms"
[ "$FAILED" -eq 0 ]
