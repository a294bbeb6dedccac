#!/bin/sh
# Creates the lab repository on first start (the volume keeps it), then serves it.
set -eu
repo=/srv/git/lab.git
if [ ! -f "$repo/HEAD" ]; then
  git init -q --bare --initial-branch=main "$repo"
  # Accept pushes over HTTP without authentication: the lab is local and only reachable through 127.0.0.1.
  git -C "$repo" config http.receivepack true
  git -C "$repo" config receive.denyNonFastForwards false
fi
exec lighttpd -D -f /etc/lighttpd/git.conf
