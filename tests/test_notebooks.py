"""Runs every notebook's test cells with `nbdev_test`, one notebook per process, one pytest test per notebook.

Cells flagged `#| slow` are skipped unless NNTRAIN_TEST_FLAGS names them (e.g. NNTRAIN_TEST_FLAGS=slow).
"""
import os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
NBDEV_TEST = Path(sys.executable).parent/'nbdev_test'

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook(nb, data_path):
    flags = os.environ.get('NNTRAIN_TEST_FLAGS', '')
    cmd = [str(NBDEV_TEST), '--path', str(nb), '--n_workers', '0'] + (['--flags', flags] if flags else [])
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert res.returncode == 0, f"{nb.name} failed:\n{res.stdout[-5000:]}\n{res.stderr[-10000:]}"
