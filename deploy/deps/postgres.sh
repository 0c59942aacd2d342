#!/usr/bin/env bash
# The PostgreSQL journal test needs Debian's postgresql server binaries.
exec bash "$(dirname "$0")/../postgres/install.sh"
