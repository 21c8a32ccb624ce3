#!/usr/bin/env bash
# Prepares a machine to run the Docker executor's tests and benchmark: installs Debian's docker.io and
# busybox-static when missing, starts dockerd in the background when no engine answers, and builds the
# local test image from busybox-static with `docker import` (no image registry is needed). Idempotent.
# Needs root (or sudo) for the install and for dockerd.
set -euo pipefail

IMAGE="${BACALHAU_TEST_IMAGE:-local/busybox:1}"
SOCKET="${DOCKER_SOCKET:-/var/run/docker.sock}"
LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
command -v docker >/dev/null 2>&1 || need_pkgs+=(docker.io)
dpkg-query -W -f="\${Status}" busybox-static 2>/dev/null | grep -q "install ok installed" \
  || need_pkgs+=(busybox-static)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  echo "installing: ${need_pkgs[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

engine_up() { docker info >/dev/null 2>&1; }

if ! engine_up; then
  echo "starting dockerd (log: $LOG)"
  # setsid detaches it from this shell so it outlives the script.
  $SUDO setsid dockerd --host "unix://$SOCKET" >"$LOG" 2>&1 < /dev/null &
  for _ in $(seq 1 120); do
    engine_up && break
    sleep 0.5
  done
  if ! engine_up; then
    echo "dockerd did not come up; last lines of $LOG:" >&2
    tail -n 30 "$LOG" >&2 || true
    exit 1
  fi
fi
echo "docker engine: $(docker version --format '{{.Server.Version}}')"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "image $IMAGE present"
  exit 0
fi

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root"
chmod 1777 "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/bin' --change 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
echo "built $IMAGE"
