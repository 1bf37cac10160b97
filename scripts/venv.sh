# Sourced by scripts/demo and scripts/test: the Python environment cruxmap is installed into.
#
# * a virtual environment that is already active ($VIRTUAL_ENV) is used as it is;
# * otherwise ./.venv, created on first use with the first Python >= 3.11 found
#   ($PYTHON, python3.13, python3.12, python3.11, python3).
# Never the system Python itself: Debian/Ubuntu mark it "externally managed" (PEP 668) and
# refuse pip installs there, and macOS's python3 is too old.
# Sets VENV_PY (that environment's python).

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

find_python() {  # the first interpreter new enough for cruxmap
  local py
  for py in ${PYTHON:-} python3.13 python3.12 python3.11 python3; do
    command -v "$py" >/dev/null 2>&1 || continue
    if "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  return 1
}

quiet_editable() {  # setuptools says "be careful with folders named like your package" on every
  # editable install of a mapped package: information, not a problem, so not shown
  PYTHONWARNINGS="ignore:Editable installation" "$@"
}

as_root() {  # run a command as root: directly, with sudo, or say what to run
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "this step needs root: run as root (or install sudo): $*"
  fi
}

use_venv() {
  if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
    VENV_PY="$VIRTUAL_ENV/bin/python"
    log "using the active virtual environment $VIRTUAL_ENV"
    return
  fi
  VENV_PY="$PWD/.venv/bin/python"
  if [ -x "$VENV_PY" ]; then
    log "using the virtual environment .venv"
    return
  fi
  local py
  py=$(find_python) || die "cruxmap needs Python 3.11 or newer and found none (python3 is $(python3 --version 2>&1 || echo missing)); install one (Debian/Ubuntu: apt-get install python3; macOS: brew install python@3.12) or name it: PYTHON=/path/to/python3.12 bash $0"
  log "creating the virtual environment .venv with $py ($("$py" --version 2>&1))"
  if ! "$py" -m venv .venv >/dev/null 2>&1; then
    rm -rf .venv
    # Debian/Ubuntu ship venv's pip bootstrap in a separate package
    if command -v apt-get >/dev/null 2>&1; then
      local pkg
      pkg="python$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')-venv"
      log "$py cannot create a virtual environment without Debian's $pkg: apt-get install $pkg (needs root or sudo)"
      as_root apt-get update -qq
      DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$pkg"
      "$py" -m venv .venv || die "could not create .venv with $py"
    else
      die "could not create a virtual environment with $py -m venv"
    fi
  fi
  "$VENV_PY" -m pip install -q --disable-pip-version-check --upgrade pip
}
