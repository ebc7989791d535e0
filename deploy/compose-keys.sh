#!/usr/bin/env bash
# Write a token key pair for deploy/compose.yaml that its containers' user
# (uid 65532, not the host user who runs compose) can read through the
# bind mount compose makes of a file secret:
#
#   deploy/compose-keys.sh [DIR]     # default var/compose-keys; a pair there is kept
#
# private.pem is mode 0640 with group 65532 when this user may give it that
# group (root, or a member of group 65532), else 0644: a development key on
# a development machine. public.pem is 0644. The directory is 0755.
# Production keys come from a secrets manager, never from this script.
set -euo pipefail
dir=${1:-$(dirname "$0")/../var/compose-keys}
mkdir -p "$dir"
chmod 0755 "$dir"
if [ ! -s "$dir/private.pem" ]; then
  (umask 077 && openssl genpkey -algorithm ed25519 -out "$dir/private.pem")
  openssl pkey -in "$dir/private.pem" -pubout -out "$dir/public.pem"
fi
chmod 0644 "$dir/public.pem"
if chgrp 65532 "$dir/private.pem" 2>/dev/null; then
  chmod 0640 "$dir/private.pem"
else
  chmod 0644 "$dir/private.pem"
fi
ls -ln "$dir"
