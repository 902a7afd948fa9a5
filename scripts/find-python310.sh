#!/usr/bin/env bash
# Prints the path of a working Python 3.10 interpreter, or nothing.
# A pyenv shim named python3.10 can exist without 3.10 being selected, so each
# candidate is run before it is trusted.
ok() { "$1" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }
candidates=()
p=$(command -v python3.10 2>/dev/null) && candidates+=("$p")
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for d in "$root"/versions/3.10*/bin; do candidates+=("$d/python3.10"); done
candidates+=(/usr/bin/python3.10 /usr/local/bin/python3.10)
for c in "${candidates[@]}"; do
  if [ -x "$c" ] && ok "$c"; then echo "$c"; exit 0; fi
done
exit 0
