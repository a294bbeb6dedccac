#!/bin/sh
# Creates the lab repository on first start (the volume keeps it), then serves it with lighttpd in the
# foreground. Every path and the port can be set through the environment (the tests run this script and
# lighttpd.conf as they are, with a temporary root, a free port on 127.0.0.1 and Debian's git-http-backend).
set -eu
: "${GIT_SERVER_PORT:=8080}"
: "${GIT_SERVER_BIND:=0.0.0.0}"
: "${GIT_SERVER_ROOT:=/srv/git}"
: "${GIT_SERVER_TMP:=/tmp}"
# The push credential: one "user:password" line, mounted from the Secret lab-git/git-server-push.
: "${GIT_SERVER_USERFILE:=/etc/git-server/push/users}"
: "${GIT_SERVER_CONF:=/etc/lighttpd/git.conf}"
# git-http-backend lives in git's exec path (/usr/libexec/git-core on Alpine, /usr/lib/git-core on Debian).
: "${GIT_SERVER_BACKEND:=$(git --exec-path)/git-http-backend}"
export GIT_SERVER_PORT GIT_SERVER_BIND GIT_SERVER_ROOT GIT_SERVER_TMP GIT_SERVER_USERFILE GIT_SERVER_BACKEND

if [ ! -r "$GIT_SERVER_USERFILE" ]; then
  echo "git-server: no push credential at $GIT_SERVER_USERFILE (the Secret lab-git/git-server-push); run gitops-lab up" >&2
  exit 1
fi

repo="$GIT_SERVER_ROOT/lab.git"
if [ ! -f "$repo/HEAD" ]; then
  git init -q --bare --initial-branch=main "$repo"
  git -C "$repo" config receive.denyNonFastForwards false
fi
# Pushes are accepted only from an authenticated user: with http.receivepack unset, git-http-backend serves
# receive-pack only when REMOTE_USER is set (lighttpd's mod_auth sets it). Older labs set it to true: undo that.
git -C "$repo" config --unset http.receivepack || true
exec lighttpd -D -f "$GIT_SERVER_CONF"
