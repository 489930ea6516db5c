"""Write README.md from nbs/index.ipynb (what `nbdev_readme` does, without needing Quarto).

Markdown cells are kept as they are, code cells become Python blocks, text outputs become plain blocks;
hidden cells, nbdev directives and image outputs are left out (the docs site shows the images).
"""
import json, re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def cell_text(cell) -> str:
    src = ''.join(cell['source'])
    if cell['cell_type'] == 'markdown': return src.strip()
    lines = src.splitlines()
    directives = [l for l in lines if l.startswith('#|')]
    if any(re.match(r'#\|\s*(hide|exporti?|eval:\s*false)\b', d) for d in directives): return ''
    code = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
    parts = [f"```python\n{code}\n```"] if code else []
    for out in cell.get('outputs', []):
        if out.get('name') == 'stderr': continue
        text = ''.join(out.get('text', '') or out.get('data', {}).get('text/plain', '') if 'image/png' not in out.get('data', {}) else '')
        if text.strip(): parts.append(f"```\n{text.rstrip()}\n```")
    return '\n\n'.join(parts)

def main():
    nb = json.loads((ROOT/'nbs'/'index.ipynb').read_text())
    body = '\n\n'.join(t for t in map(cell_text, nb['cells']) if t)
    header = "<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file. -->\n\n"
    (ROOT/'README.md').write_text(header + body + '\n')

if __name__ == '__main__': main()
