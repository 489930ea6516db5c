"""Runs every notebook's test cells with `nbdev_test`, one notebook per process, one pytest test per notebook.

Cells flagged `#| slow` are skipped unless NNTRAIN_TEST_FLAGS names them (e.g. NNTRAIN_TEST_FLAGS=slow).
A failing notebook's message starts with the cell that raised: its index in the .ipynb, its id, its first line.
"""
import json, os, re, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))
NBDEV_TEST = Path(sys.executable).parent/'nbdev_test'
DIRECTIVE = re.compile(r'^\s*#\|')
MARK = 'NNTRAIN-FAILED-CELL'

# nbdev_test names a failing cell only by its position among the cells left after its own processing (which drops
# and inserts front-matter cells), so run its console script itself, in-process with the same argv (hence the same
# config, flags and skipping), with execnb's per-cell runner wrapped to print the raising cell's id and error.
RUNNER = f"""
import json, runpy, sys, traceback
from execnb.shell import CaptureShell
run_cell = CaptureShell.cell
def cell(self, c, **kw):
    run_cell(self, c, **kw)
    if self.exc:
        last = traceback.format_exception_only(self.exc)[-1].strip().splitlines()[-1]
        print({MARK!r}, json.dumps([c.id, last]), file=sys.stderr)
CaptureShell.cell = cell
sys.argv.pop(0)
runpy.run_path(sys.argv[0], run_name='__main__')
"""

def run_nb(nb: Path, flags: str = '') -> str | None:
    "Run `nb` as `nbdev_test --path nb --n_workers 0` does, in its own process: None if it passed, else why it failed."
    cmd = [sys.executable, '-c', RUNNER, str(NBDEV_TEST), '--path', str(nb), '--n_workers', '0']
    cmd += ['--flags', flags] if flags else []
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if res.returncode == 0: return None
    tail = f"{res.stdout[-2000:]}\n{res.stderr[-5000:]}"
    if not (m := re.search(f'^{MARK} (.*)$', res.stderr, re.M)):
        return f"{nb.name} failed outside any cell (exit {res.returncode}):\n{tail}"
    cid, err = json.loads(m[1])
    cells = json.loads(nb.read_text())['cells']
    i = next((i for i, c in enumerate(cells) if c.get('id') == cid), None)
    lines = ''.join(cells[i]['source']).splitlines() if i is not None else []
    first = next((l for l in lines if l.strip() and not DIRECTIVE.match(l)), '')
    return f"{nb.name} cell {i} (id {cid}): {first.strip()}\n-> {err}\n\n{tail}"

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook(nb, data_path):
    failure = run_nb(nb, os.environ.get('NNTRAIN_TEST_FLAGS', ''))
    assert failure is None, failure

def test_failure_names_the_cell(tmp_path):
    "A notebook whose second cell raises fails naming that cell's index, id, first line and error."
    code = lambda cid, src: {'cell_type': 'code', 'id': cid, 'metadata': {}, 'outputs': [], 'execution_count': None, 'source': src}
    nb = tmp_path/'fake.ipynb'
    nb.write_text(json.dumps({'nbformat': 4, 'nbformat_minor': 5, 'metadata': {}, 'cells': [
        code('c0', 'x = 1'), code('c1', "#| hide\nassert x == 2, 'boom'\nx = 3"), code('c2', 'x = 4')]}))
    failure = run_nb(nb)
    assert failure.startswith("fake.ipynb cell 1 (id c1): assert x == 2, 'boom'\n-> AssertionError: boom\n"), failure

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
