#!/usr/bin/env bash
# Print the path of a Python >= 3.12: first on PATH, then among pyenv's installed versions.
# Exits 1 with a clear message when there is none.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for candidate in python3 python3.12 python3.13 python; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  # pyenv shims answer for versions that are not selected: only trust them if they run.
  if ok "$path"; then echo "$path"; exit 0; fi
done
root=${PYENV_ROOT:-$HOME/.pyenv}
for dir in $(ls -d "$root"/versions/3.1[2-9]* "$root"/versions/3.[2-9][0-9]* 2>/dev/null | sort -V); do
  if [ -x "$dir/bin/python3" ] && ok "$dir/bin/python3"; then echo "$dir/bin/python3"; exit 0; fi
done
echo "error: Tractatus needs Python >= 3.12 (like Agent Lightning 1.x). None was found on PATH or in $root/versions; install one (e.g. 'pyenv install 3.12') and retry." >&2
exit 1
