#!/usr/bin/env bash
# deploy/install.sh [--root DIR] [--no-start]: installs a2gen from this checkout as a systemd service
# on Debian (or any systemd distribution), next to A2Billing. Run it as root; run it again to upgrade.
#
#   /opt/a2gen                the application, built, with production dependencies only
#   /etc/a2gen/a2gen.env      its settings and a fresh A2B_SECRET (mode 0600; kept on later runs)
#   /var/lib/a2gen            its state (the embedded database when no A2B_DATABASE_URL is set)
#   /etc/systemd/system/a2gen.service, enabled; /usr/local/bin/a2gen runs the CLI as the service does
#
# --root DIR installs into DIR as if it were / (a scratch root: nothing outside DIR changes, the user is
# created in DIR/etc/passwd, nothing is started). --no-start leaves the service stopped.
set -euo pipefail

usage() {
  sed -n '2,11s/^# \{0,1\}//p' "$0"
  exit "${1:-0}"
}

root=""
start=1
while (($#)); do
  case $1 in
    --root)
      [[ $# -ge 2 && -n $2 ]] || usage 2
      root=$(realpath -m "$2")
      shift 2
      ;;
    --no-start)
      start=0
      shift
      ;;
    -h | --help) usage 0 ;;
    *)
      echo "install.sh: unknown option: $1" >&2
      usage 2
      ;;
  esac
done

step() { printf '==> %s\n' "$*"; }
die() {
  printf 'install.sh: %s\n' "$*" >&2
  exit 1
}

source_dir=$(cd "$(dirname "$0")/.." && pwd)
user=a2gen
app_dir=$root/opt/a2gen
conf_dir=$root/etc/a2gen
env_file=$conf_dir/a2gen.env
state_dir=$root/var/lib/a2gen
unit_file=$root/etc/systemd/system/a2gen.service
cli_file=$root/usr/local/bin/a2gen

[[ $(id -u) -eq 0 ]] || die "run me as root (sudo $0): I create a user and write under /etc and /opt"
[[ -f $source_dir/package.json && -f $source_dir/deploy/a2gen.service ]] ||
  die "$source_dir is not an a2gen checkout"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  die "Node.js 20.12 or newer is needed (Debian 12: the NodeSource packages, or nvm); node/npm not found"
fi
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 12) ? 0 : 1)' ||
  die "Node.js 20.12 or newer is needed; this is $(node --version)"
[[ -z $root || -f $root/etc/passwd ]] ||
  die "--root $root has no etc/passwd: give it copies of /etc/passwd, group, shadow and gshadow first"

step "user $user"
if grep -q "^$user:" "$root/etc/passwd"; then
  echo "exists"
else
  # A system user with no login and no home of its own; the state directory is where it writes.
  useradd ${root:+--prefix "$root"} --system --user-group --home-dir /var/lib/a2gen --no-create-home \
    --shell /usr/sbin/nologin "$user"
fi
# Numeric ids: in a scratch root the user exists only in $root/etc/passwd.
uid=$(awk -F: -v name="$user" '$1 == name { print $3 }' "$root/etc/passwd")
gid=$(awk -F: -v name="$user" '$1 == name { print $4 }' "$root/etc/passwd")

step "directories"
install -d -m 0755 "$app_dir" "$(dirname "$unit_file")" "$(dirname "$cli_file")"
install -d -m 0750 -o 0 -g "$gid" "$conf_dir"
install -d -m 0750 -o "$uid" -g "$gid" "$state_dir"

step "application in $app_dir"
# Replace everything but node_modules, so files removed upstream do not linger and an upgrade keeps
# the compiled native modules when the dependencies did not change.
find "$app_dir" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
tar -C "$source_dir" --exclude=./node_modules --exclude=./dist --exclude=./.git --exclude=./data \
  --exclude=./.env --exclude='./.ci' --exclude=./.tap --exclude=./coverage \
  --exclude=./test-artifacts -cf - . | tar -C "$app_dir" --no-same-owner -xf -
chmod -R u+rwX,go+rX,go-w "$app_dir"

step "dependencies and build"
cd "$app_dir"
# Building needs the development dependencies (TypeScript); they are removed again once it is built.
if [[ -d node_modules ]]; then
  npm install --no-audit --no-fund --loglevel=error
else
  npm ci --no-audit --no-fund --loglevel=error
fi
npm prune --omit=dev --no-audit --no-fund --loglevel=error
[[ -f dist/runtime/main.js ]] || die "the build did not produce dist/runtime/main.js"

step "settings in $env_file"
if [[ -f $env_file ]]; then
  echo "kept (its A2B_SECRET too: admin sessions stay valid)"
else
  secret=$(node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("hex"))')
  # Created empty with mode 0600 first: the secret is never readable by anyone else, not even briefly.
  install -m 0600 -o 0 -g 0 /dev/null "$env_file"
  cat >"$env_file" <<EOF
# a2gen's settings (README: Configuration). Read by systemd as root; mode 0600. Values unquoted.
# After a change: systemctl restart a2gen

# A2Billing's database. Unset: an embedded SQLite file in /var/lib/a2gen (for trying it out).
#A2B_DATABASE_URL=mysql://a2gen:PASSWORD@127.0.0.1:3306/a2billing

# Only nginx talks to the service; it passes the client's address, which the service believes from it alone.
HOST=127.0.0.1
PORT=8008
A2B_TRUST_PROXY=127.0.0.1,::1
A2B_DATA_DIR=/var/lib/a2gen

# The admin panel's session key. Changing it signs everyone out (README: Deploy, rotating the secret).
A2B_SECRET=$secret
EOF
fi
chmod 0600 "$env_file"
chown 0:0 "$env_file"

step "systemd unit and the a2gen command"
install -m 0644 "$source_dir/deploy/a2gen.service" "$unit_file"
install -m 0755 /dev/stdin "$cli_file" <<'EOF'
#!/bin/sh
# a2gen's CLI with the service's settings and as its user: sudo a2gen create-admin --username NAME
set -e
[ "$(id -u)" -eq 0 ] || { echo "run as root: sudo a2gen $*" >&2; exit 1; }
set -a
. /etc/a2gen/a2gen.env
set +a
export NODE_ENV=production
cd /opt/a2gen
exec runuser -u a2gen -- node /opt/a2gen/dist/bin/a2gen.js "$@"
EOF
systemctl --root="${root:-/}" --quiet enable a2gen.service

running_systemd=0
[[ -z $root && -d /run/systemd/system ]] && running_systemd=1
if ((running_systemd)); then
  systemctl daemon-reload
  if ((start)); then
    step "starting a2gen"
    systemctl restart a2gen.service
    systemctl --no-pager --lines=5 status a2gen.service || true
  fi
fi

cat <<EOF

a2gen is installed in $app_dir and enabled as a2gen.service.
Next:
  1. Point it at A2Billing's database: set A2B_DATABASE_URL in $env_file
     (the MySQL grants it needs are in README.md, "Deploy next to A2Billing").
  2. sudo systemctl restart a2gen && journalctl -u a2gen -f
  3. Make yourself a user:   sudo a2gen create-admin --username YOU
  4. Put nginx in front (TLS): $app_dir/deploy/nginx/a2gen.conf has the steps.
EOF
((running_systemd)) || echo "(systemd is not running here$([[ -n $root ]] && echo ", or this is a scratch root"): nothing was started.)"
