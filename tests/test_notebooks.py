"""Runs every notebook's test cells with `nbdev_test`, one notebook per process, one pytest test per notebook.

Cells flagged `#| slow` are skipped unless NNTRAIN_TEST_FLAGS names them (e.g. NNTRAIN_TEST_FLAGS=slow).
"""
import json, os, re, subprocess, sys
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

DIRECTIVE = re.compile(r'^\s*#\|')

def misplaced_directives(nb_path: Path) -> list[str]:
    "Lines of `#|` directives that come after code in a cell: nbdev reads only a cell's leading directives and ignores these."
    found = []
    for i, cell in enumerate(json.loads(nb_path.read_text())['cells']):
        if cell['cell_type'] != 'code': continue
        lines = ''.join(cell['source']).splitlines()
        first_code = next((n for n, l in enumerate(lines) if l.strip() and not DIRECTIVE.match(l)), len(lines))
        found += [f"{nb_path.name} cell {i}: {l.strip()!r} after code" for l in lines[first_code:] if DIRECTIVE.match(l)]
    return found

def test_directives_lead_their_cells(tmp_path):
    "A `#| slow` below code is silently ignored, so the slow cell runs in the default test run: none may exist."
    problems = [p for nb in NOTEBOOKS for p in misplaced_directives(nb)]
    assert not problems, "move these directives to the top of their cells:\n" + '\n'.join(problems)
    bad = tmp_path/'bad.ipynb'
    bad.write_text(json.dumps({'cells': [{'cell_type': 'code', 'source': ['x = 1\n', '#| slow\n', 'train()']},
                                         {'cell_type': 'code', 'source': ['#| slow\n', '#| eval: false\n', 'train()']}]}))
    assert misplaced_directives(bad) == ["bad.ipynb cell 0: '#| slow' after code"]
