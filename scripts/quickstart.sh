#!/usr/bin/env bash
# The main job in one command: installs dependencies, builds pocketops, and
# runs it on MODEL.gguf (default: a small synthetic LFM2 model it writes
# itself, since nothing is downloaded) — model info, a streamed answer, and
# log normalization of a few sample lines.
#   scripts/quickstart.sh [MODEL.gguf] ["your question"]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
PO=build/src/cli/pocketops
MODEL="${1:-}"
QUESTION="${2:-Why is /var full and what should I check first?}"
if [ -z "$MODEL" ]; then
  MODEL=build/demo-tiny-q4_k_m.gguf
  [ -f "$MODEL" ] || $PO synth --shape tiny --type q4_k_m -o "$MODEL"
  echo "(no model given: using a synthetic random-weight model, so the answer is gibberish;"
  echo " pass a real LFM2.5-1.2B-Instruct GGUF to get real answers)"
fi
echo "== pocketops info -m $MODEL"
$PO info -m "$MODEL"
echo
echo "== pocketops run -m $MODEL -p \"$QUESTION\""
$PO run -m "$MODEL" -p "$QUESTION" -n 64 --verbose
echo
echo "== pocketops logs parse (sample syslog lines)"
printf '%s\n' \
  'Nov 23 10:01:02 web01 sshd[1234]: Failed password for root from 10.0.0.5 port 52211 ssh2' \
  'Nov 23 10:01:07 web01 sshd[1240]: Failed password for admin from 10.0.0.9 port 40022 ssh2' \
  'Nov 23 10:02:00 web01 kernel: [12345.678] EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2' \
  | $PO logs parse --format table -
