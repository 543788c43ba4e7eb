#!/usr/bin/env bash
# .ci/docker-engine.sh: a Docker engine and the local images the container tests use,
# on a Debian CI machine that reaches the Debian mirror but no container registry.
#
#   sudo .ci/docker-engine.sh [install|start|images|check|stop]...   (default: install start images check)
#
# Idempotent: every step looks first and skips what is already there. Images made here
# (`docker import` of a root filesystem, nothing pulled):
#   gauntlet-base/node:<host major>  host node + its libraries + busybox, user node (uid 1000)
#   gauntlet-base/redis:7            Debian's redis-server + busybox, user redis
#   gauntlet-base/postgres:15        Debian's PostgreSQL 15 with a first-start initdb entrypoint
# Then point the harness at them (the container tests do this when these images exist):
#   GAUNTLET_SANDBOX_BASE_IMAGE=gauntlet-base/node:20 GAUNTLET_IMAGE_REDIS=gauntlet-base/redis:7
#   GAUNTLET_IMAGE_POSTGRES=gauntlet-base/postgres:15 TESTCONTAINERS_RYUK_DISABLED=true
#
# Env: STATE (default /tmp/gauntlet-ci-docker: logs, pid, .deb cache, data root),
#      REBUILD=1 (rebuild images), NO_POSTGRES=1, ENGINE_TIMEOUT (seconds, default 60).
set -Eeuo pipefail
STATE=$(realpath -m "${STATE:-/tmp/gauntlet-ci-docker}")
ENGINE_TIMEOUT=${ENGINE_TIMEOUT:-60}
export DOCKER_HOST=unix:///var/run/docker.sock DEBIAN_FRONTEND=noninteractive LC_ALL=C
PG=15
PATHS=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { printf '[ci-docker %(%T)T] %s\n' -1 "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
trap 'fail "line $LINENO: $BASH_COMMAND"' ERR
engine_up() { docker info >/dev/null 2>&1; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }
alive() { [[ -n ${1:-} && -d /proc/$1 ]] && ! grep -q '^State:\s*Z' "/proc/$1/status" 2>/dev/null; }

# debs DIR PKG...: download packages (cached) without installing them on the host.
debs() {
  local dir=$1; shift
  mkdir -p "$dir"
  local want=() p
  for p in "$@"; do compgen -G "$dir/${p}_*.deb" >/dev/null || want+=("$p"); done
  ((${#want[@]} == 0)) && return 0
  (cd "$dir" && apt-get download -qq -o APT::Sandbox::User=root "${want[@]}") >>"$STATE/apt.log" 2>&1 || {
    apt-get update -qq >>"$STATE/apt.log" 2>&1 || true
    (cd "$dir" && apt-get download -qq -o APT::Sandbox::User=root "${want[@]}") >>"$STATE/apt.log" 2>&1 || fail "apt-get download ${want[*]} (see $STATE/apt.log)"
  }
}

# libdeps PKG...: lib* dependencies (recursive) not installed on this host.
libdeps() {
  local -A seen=(); local level=("$@") next d
  while ((${#level[@]})); do
    next=()
    for d in $(apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances "${level[@]}" 2>/dev/null |
      awk '$1 ~ /Depends:$/ && $2 ~ /^lib/ {print $2}' | sort -u); do
      [[ -n ${seen[$d]:-} || $d == libllvm* ]] && continue
      seen[$d]=1
      dpkg-query -W -f='${db:Status-Status}' "$d" 2>/dev/null | grep -qx installed && continue
      echo "$d"; next+=("$d")
    done
    level=("${next[@]}")
  done
}

# rootfs DIR USER UID HOME: merged-/usr skeleton with a static busybox, users and CA certs.
rootfs() {
  local r=$1 user=$2 uid=$3 home=$4 a
  rm -rf "$r"; mkdir -p "$r"/{usr/bin,usr/lib,usr/lib64,usr/local/bin,etc,tmp,proc,sys,dev,run} "$r$home"
  ln -s usr/bin "$r/bin"; ln -s usr/bin "$r/sbin"; ln -s usr/lib "$r/lib"; ln -s usr/lib64 "$r/lib64"
  # postgres puts its socket lock in /var/run/postgresql.
  mkdir -p "$r/var/tmp"; ln -s ../run "$r/var/run"
  chmod 1777 "$r/tmp" "$r/var/tmp"; chown "$uid:$uid" "$r$home"
  debs "$STATE/debs/busybox" busybox-static
  [[ -x $STATE/busybox ]] || { dpkg-deb --fsys-tarfile "$STATE"/debs/busybox/busybox-static_*.deb | tar -xO ./bin/busybox >"$STATE/busybox"; chmod 0755 "$STATE/busybox"; }
  install -m 0755 "$STATE/busybox" "$r/usr/bin/busybox"
  for a in $("$STATE/busybox" --list); do [[ -e $r/usr/bin/$a ]] || ln -s busybox "$r/usr/bin/$a"; done
  printf 'root:x:0:0::/root:/bin/sh\n%s:x:%s:%s::%s:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n' "$user" "$uid" "$uid" "$home" >"$r/etc/passwd"
  printf 'root:x:0:\n%s:x:%s:\nnogroup:x:65534:\n' "$user" "$uid" >"$r/etc/group"
  printf 'hosts: files dns\npasswd: files\ngroup: files\n' >"$r/etc/nsswitch.conf"
  [[ -d /etc/ssl/certs ]] && { mkdir -p "$r/etc/ssl"; cp -rL /etc/ssl/certs "$r/etc/ssl/" 2>/dev/null || true; }
}

# libs ROOT EXTRA_LIBDIR FILE...: copy what ldd says FILE... needs (EXTRA_LIBDIR searched first).
libs() {
  local r=$1 extra=$2 out l; shift 2
  local lp=""; [[ -d $extra ]] && lp=$(find "$extra" -name '*.so*' -printf '%h\n' | sort -u | paste -sd: -)
  out=$(LD_LIBRARY_PATH=$lp ldd "$@" 2>&1 || true)
  grep -q 'not found' <<<"$out" && { grep 'not found' <<<"$out" >&2; fail "missing libraries"; }
  awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// && $2 ~ /^\(0x/ {print $1}' <<<"$out" | sort -u | while read -r l; do
    local dest=$r${l#"$extra"}; mkdir -p "$(dirname "$dest")"; [[ -e $dest ]] || cp -L "$l" "$dest"
  done
}

import() { # import ROOT IMAGE CHANGE...
  local r=$1 img=$2; shift 2
  local args=(); local c; for c in "$@"; do args+=(--change "$c"); done
  local before; before=$(docker image inspect -f '{{.Id}}' "$img" 2>/dev/null || true)
  tar --numeric-owner -C "$r" -cf - . | docker import "${args[@]}" - "$img" >/dev/null
  # The image this one replaced would stay behind untagged.
  [[ -n $before && $before != "$(docker image inspect -f '{{.Id}}' "$img")" ]] && { docker rmi "$before" >/dev/null 2>&1 || true; }
  rm -rf "$r"; say "image $img ready"
}

step_install() {
  engine_up && { say "engine answers, nothing to install"; return; }
  local p want=()
  for p in dockerd:docker.io containerd:containerd runc:runc iptables:iptables; do command -v "${p%%:*}" >/dev/null || want+=("${p#*:}"); done
  ((${#want[@]} == 0)) && { say "engine binaries present"; return; }
  local policy=0
  # Keep apt from starting the daemon with its defaults; step_start starts it.
  [[ -e /usr/sbin/policy-rc.d ]] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; policy=1; }
  say "apt-get install ${want[*]}"
  apt-get update -qq >>"$STATE/apt.log" 2>&1 || say "apt-get update reported errors (continuing)"
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${want[@]}" >>"$STATE/apt.log" 2>&1 || { ((policy)) && rm -f /usr/sbin/policy-rc.d; fail "apt-get install (see $STATE/apt.log)"; }
  ((policy)) && rm -f /usr/sbin/policy-rc.d
  return 0
}

step_start() {
  engine_up && { say "engine answers"; return; }
  local pid; pid=$(cat "$STATE/dockerd.pid" 2>/dev/null || true)
  if ! alive "$pid"; then
    # Stale pid files of a killed engine stop a new one from starting.
    rm -f "$STATE/dockerd.pid"
    local cpid; cpid=$(cat /var/run/docker/containerd/containerd.pid 2>/dev/null || true)
    alive "$cpid" || rm -f /var/run/docker/containerd/containerd.pid
    mkdir -p "$STATE/data"
    # setsid + closed fds: the engine outlives this CI step.
    setsid dockerd --host="$DOCKER_HOST" --data-root="$STATE/data" --pidfile="$STATE/dockerd.pid" </dev/null >>"$STATE/dockerd.log" 2>&1 9>&- &
    pid=$!; echo "$pid" >"$STATE/started-here"
  fi
  local i
  for ((i = 0; i < ENGINE_TIMEOUT * 5; i++)); do
    engine_up && { say "engine up (dockerd pid $pid)"; return; }
    alive "$pid" || { tail -n 20 "$STATE/dockerd.log" >&2; fail "dockerd exited"; }
    sleep 0.2
  done
  tail -n 20 "$STATE/dockerd.log" >&2; fail "engine not up within ${ENGINE_TIMEOUT}s"
}

image_node() {
  local img; img=gauntlet-base/node:$(node -p 'process.versions.node.split(".")[0]')
  [[ ${REBUILD:-0} != 1 ]] && have_image "$img" && { say "$img present"; return; }
  local r=$STATE/root-node bin; bin=$(readlink -f "$(command -v node)")
  rootfs "$r" node 1000 /home/node
  install -m 0755 "$bin" "$r/usr/local/bin/node"
  libs "$r" /nonexistent "$r/usr/local/bin/node"
  import "$r" "$img" "ENV PATH=$PATHS" 'CMD ["node"]'
}

image_redis() {
  local img=gauntlet-base/redis:7
  [[ ${REBUILD:-0} != 1 ]] && have_image "$img" && { say "$img present"; return; }
  local d=$STATE/debs/redis x=$STATE/x-redis r=$STATE/root-redis
  apt-cache show redis-tools >/dev/null 2>&1 || apt-get update -qq >>"$STATE/apt.log" 2>&1 || true
  mapfile -t extra < <(libdeps redis-tools)
  debs "$d" redis-tools "${extra[@]}"
  rm -rf "$x"; mkdir -p "$x"; for f in "$d"/*.deb; do dpkg -x "$f" "$x"; done
  rootfs "$r" redis 999 /data
  # redis-server is a link to redis-check-rdb, the real binary.
  install -m 0755 "$x/usr/bin/redis-check-rdb" "$r/usr/bin/redis-server"
  install -m 0755 "$x/usr/bin/redis-cli" "$r/usr/bin/redis-cli"
  libs "$r" "$x" "$r/usr/bin/redis-server" "$r/usr/bin/redis-cli"
  rm -rf "$x"
  import "$r" "$img" "ENV PATH=$PATHS" 'USER redis' 'WORKDIR /data' 'EXPOSE 6379' 'CMD ["redis-server", "--protected-mode", "no", "--save", ""]'
}

image_postgres() {
  [[ ${NO_POSTGRES:-0} == 1 ]] && return 0
  local img=gauntlet-base/postgres:$PG
  [[ ${REBUILD:-0} != 1 ]] && have_image "$img" && { say "$img present"; return; }
  local d=$STATE/debs/postgres x=$STATE/x-pg r=$STATE/root-pg lib=usr/lib/postgresql/$PG
  apt-cache show "postgresql-$PG" >/dev/null 2>&1 || apt-get update -qq >>"$STATE/apt.log" 2>&1 || true
  mapfile -t extra < <(libdeps "postgresql-$PG" "postgresql-client-$PG" libpq5)
  debs "$d" "postgresql-$PG" "postgresql-client-$PG" libpq5 tzdata "${extra[@]}"
  rm -rf "$x"; mkdir -p "$x"; for f in "$d"/*.deb; do dpkg -x "$f" "$x"; done
  # No JIT (it needs libLLVM) and no extension build kit.
  rm -rf "$x/$lib/lib/llvmjit"* "$x/$lib/lib/bitcode" "$x/$lib/lib/pgxs"
  rootfs "$r" postgres 999 /var/lib/postgresql
  mkdir -p "$r/usr/lib/postgresql" "$r/usr/share/postgresql" "$r/usr/lib/locale"
  cp -a "$x/$lib" "$r/usr/lib/postgresql/"; cp -a "$x/usr/share/postgresql/$PG" "$r/usr/share/postgresql/"; cp -a "$x/usr/share/zoneinfo" "$r/usr/share/"
  [[ -d /usr/lib/locale/C.utf8 ]] && cp -a /usr/lib/locale/C.utf8 "$r/usr/lib/locale/"
  install -m 0755 /usr/bin/locale "$r/usr/bin/locale"   # initdb calls `locale -a`
  libs "$r" "$x" "$r/$lib"/bin/* "$r/$lib"/lib/*.so "$r/usr/bin/locale"
  rm -rf "$x"
  install -d -o 999 -g 999 -m 0700 "$r/var/lib/postgresql/data"; install -d -o 999 -g 999 -m 2775 "$r/run/postgresql"
  cat >"$r/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
# initdb on first start (trust auth: throwaway test databases), then postgres in the foreground.
set -e
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then set -- postgres "$@"; fi
[ "$1" = postgres ] || exec "$@"
shift
: "${PGDATA:=/var/lib/postgresql/data}" "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
export PGDATA
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  loc=C; [ -d /usr/lib/locale/C.utf8 ] && loc=C.UTF-8
  initdb --username="$POSTGRES_USER" --auth=trust --encoding=UTF8 --locale="$loc" --no-sync $POSTGRES_INITDB_ARGS
  printf '%s\n' "host all all 0.0.0.0/0 trust" "host all all ::/0 trust" >>"$PGDATA/pg_hba.conf"
  [ "$POSTGRES_DB" = postgres ] || echo "CREATE DATABASE \"$POSTGRES_DB\";" | postgres --single -D "$PGDATA" postgres >/dev/null
fi
exec postgres -c listen_addresses='*' "$@"
SH
  chmod 0755 "$r/usr/local/bin/docker-entrypoint.sh"
  import "$r" "$img" "ENV PATH=/$lib/bin:$PATHS" 'ENV PGDATA=/var/lib/postgresql/data' 'ENV TZ=UTC' 'USER postgres' 'EXPOSE 5432' \
    'ENTRYPOINT ["docker-entrypoint.sh"]' 'CMD ["postgres"]'
}

step_images() { engine_up || fail "engine does not answer (run the start step)"; image_node; image_redis; image_postgres; }

step_check() {
  local img out; img=gauntlet-base/node:$(node -p 'process.versions.node.split(".")[0]')
  out=$(docker run --rm --label gauntlet.ci-check=1 --user node "$img" node -p '6*7')
  [[ $out == 42 ]] || fail "$img printed '$out'"
  out=$(docker run --rm --label gauntlet.ci-check=1 gauntlet-base/redis:7 redis-server --version | head -c 40)
  [[ $out == Redis* ]] || fail "gauntlet-base/redis:7 printed '$out'"
  if [[ ${NO_POSTGRES:-0} != 1 ]]; then
    local cid i ok=0
    cid=$(docker run -d --label gauntlet.ci-check=1 -e POSTGRES_DB=app gauntlet-base/postgres:$PG)
    for ((i = 0; i < 150; i++)); do
      out=$(docker exec "$cid" psql -U postgres -d app -Atc 'select 40 + 2' 2>/dev/null || true)
      [[ $out == 42 ]] && { ok=1; break; }
      sleep 0.2
    done
    ((ok)) || { docker logs "$cid" 2>&1 | tail -n 15 >&2; docker rm -f "$cid" >/dev/null; fail "gauntlet-base/postgres:$PG did not answer a query"; }
    docker rm -f "$cid" >/dev/null
  fi
  # The container tests rely on this: an --internal network has no route out.
  docker network rm gauntlet-ci-check >/dev/null 2>&1 || true
  docker network create --internal --label gauntlet.ci-check=1 gauntlet-ci-check >/dev/null
  if docker run --rm --network gauntlet-ci-check --label gauntlet.ci-check=1 "$img" sh -c 'nc -w 2 1.1.1.1 80 </dev/null' >/dev/null 2>&1; then
    docker network rm gauntlet-ci-check >/dev/null; fail "an internal network reached 1.1.1.1"
  fi
  docker network rm gauntlet-ci-check >/dev/null
  say "check passed: images run, postgres answers queries, internal networks have no route out"
}

step_stop() {
  local pid; pid=$(cat "$STATE/started-here" 2>/dev/null || true)
  alive "$pid" || { say "no engine started by this script"; return; }
  kill -TERM "$pid"; local i; for ((i = 0; i < 150; i++)); do alive "$pid" || break; sleep 0.2; done
  rm -f "$STATE/started-here"; say "engine stopped"
}

[[ $EUID -eq 0 ]] || fail "run as root"
mkdir -p "$STATE"
exec 9>"$STATE/.lock"; flock -w 900 9 || fail "another run holds $STATE/.lock"
(($#)) || set -- install start images check
for s; do
  case $s in
    install | start | images | check | stop) "step_$s" ;;
    *) fail "unknown step $s (install|start|images|check|stop)" ;;
  esac
done
say "done: $*"
