"""Execute a notebook in place, running its `#| slow` cells only where they match a pattern (the others keep their outputs).

A long experiment in one section of a notebook can then be run (and its outputs committed) without rerunning every
other long cell of that notebook. Every cell that is not `#| slow` runs, in order, so the matching cells see the state
they expect.

    python tools/run_cells.py nbs/06_resnet.ipynb --slow 'def train_variant' --slow 'def smooth'   # those two slow cells
"""
import argparse, re, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient

def is_slow(cell) -> bool: return cell.cell_type == 'code' and re.search(r'^#\|\s*slow\b', cell.source, re.M) is not None

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebook', type=Path)
    p.add_argument('--slow', action='append', default=[], help='run the slow cells whose source contains this text (repeatable; default: none)')
    p.add_argument('--timeout', type=int, default=None, help='seconds a cell may run (default: no limit)')
    a = p.parse_args()
    nb = nbformat.read(a.notebook, as_version=4)
    client = NotebookClient(nb, timeout=a.timeout, kernel_name='python3', resources={'metadata': {'path': str(a.notebook.parent)}})
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != 'code' or (is_slow(cell) and not any(t in cell.source for t in a.slow)): continue
            print(f"cell {i}: {cell.source.splitlines()[0][:70] if cell.source else ''}", file=sys.stderr, flush=True)
            client.execute_cell(cell, i)
            nbformat.write(nb, a.notebook)   # after each cell: a long run that fails later keeps what it did
    nbformat.write(nb, a.notebook)

if __name__ == '__main__': main()
