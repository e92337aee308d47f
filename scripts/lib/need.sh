# Installs a Debian package when a command the benchmarks need is missing. Sourced by the bench
# scripts; defines lunar_need.

# lunar_need COMMAND PACKAGE WHY: installs PACKAGE with apt-get unless COMMAND is on the PATH.
lunar_need() {
  command -v "$1" >/dev/null && return 0
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  echo "lunar: installing $2 ($3)" >&2
  "${sudo[@]}" apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$2" >/dev/null
}
