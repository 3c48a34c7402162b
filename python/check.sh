#!/usr/bin/env bash
# The Python package's checks, from the repository root: a virtual
# environment with the test tools, the package built once in release (in the
# shared target folder, so it reuses a release build of the dependencies
# where one is there), installed from its wheel, then pytest, the examples
# and the notebook. The byte-equality tests compare with the CLI binary in
# target/debug or target/release (`cargo test` builds one).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${MOSDE_VENV:-target/venv-py}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
python3 -m venv "$VENV"
PY="$VENV/bin/python"
"$PY" -m pip install --quiet --upgrade pip
"$PY" -m pip install --quiet maturin numpy pandas pytest SALib moocore matplotlib nbclient nbformat ipykernel

if [ ! -x "$CARGO_TARGET_DIR/debug/mosde" ] && [ ! -x "$CARGO_TARGET_DIR/release/mosde" ]; then
  cargo build --locked --bin mosde
fi
rm -rf "$CARGO_TARGET_DIR/wheels"
"$VENV/bin/maturin" build --release --locked --manifest-path python/Cargo.toml \
  --out "$CARGO_TARGET_DIR/wheels"
"$PY" -m pip install --quiet --force-reinstall "$CARGO_TARGET_DIR"/wheels/mosde-*.whl

"$PY" -m pytest -q python/tests
export MPLBACKEND=Agg  # the scripts draw to files
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$PY" examples/python/quickstart.py "$work/quickstart.png"
"$PY" examples/python/sensitivity.py
"$PY" examples/python/fit_sessions.py
# The committed notebook, executed again (the copy is thrown away), with
# the kernel's own inline figures.
env -u MPLBACKEND "$PY" - "$work" <<'PYEOF'
import sys
import nbformat
from nbclient import NotebookClient

nb = nbformat.read("examples/python/tour.ipynb", as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3").execute()
nbformat.write(nb, f"{sys.argv[1]}/tour.ipynb")
print("examples/python/tour.ipynb: executed")
PYEOF
