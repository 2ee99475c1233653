#!/usr/bin/env bash
# Installs the servers the test suites run against locally (throwaway instances they start
# themselves) from Debian's packages. Idempotent and quiet when everything is already there:
# CI calls it on every run, and the test set-up calls it when a binary is missing.
# Each server has its own function; add new ones beside them and call them from main.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

# Installs Debian packages without starting their services. The packaged services would bind
# the default ports and outlive the run; the tests start their own instances instead.
apt_install_quietly() {
  local policy=/usr/sbin/policy-rc.d
  local placed_policy=false
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod 755 "$policy"
    placed_policy=true
    # Never leave our policy behind, even when the install fails.
    trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  # The package lists may be missing or stale on a fresh machine: refresh only when needed.
  if ! as_root apt-get install -y --no-install-recommends "$@"; then
    as_root apt-get update
    as_root apt-get install -y --no-install-recommends "$@"
  fi
  if $placed_policy; then
    as_root rm -f "$policy"
    trap - EXIT
  fi
}

# OpenLDAP: slapd for the LDAP directory adapter's tests, ldap-utils for slappasswd/ldapsearch.
install_openldap() {
  if [ -x /usr/sbin/slapd ] && command -v ldapsearch >/dev/null 2>&1; then
    return 0
  fi
  # No configuration: the package would otherwise create a database and prompt for a password.
  echo 'slapd slapd/no_configuration boolean true' | as_root debconf-set-selections
  apt_install_quietly slapd ldap-utils
}

# Chromium: the hosted pages' browser tests drive Debian's build through playwright-core
# (Playwright never downloads a browser of its own here).
install_chromium() {
  if [ -x /usr/bin/chromium ]; then
    return 0
  fi
  apt_install_quietly chromium
}

# PgBouncer: the walkthroughs also run through it in transaction pooling mode (the `pgbouncer`
# test project); the tests start their own instance on a free port.
install_pgbouncer() {
  if [ -x /usr/sbin/pgbouncer ]; then
    return 0
  fi
  apt_install_quietly pgbouncer
}

main() {
  install_openldap
  install_chromium
  install_pgbouncer
}

main "$@"
