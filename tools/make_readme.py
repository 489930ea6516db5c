"""Write README.md from nbs/index.ipynb (what `nbdev_readme` does, without needing Quarto).

Markdown cells are kept as they are, code cells become Python blocks, text outputs become plain blocks;
hidden cells, nbdev directives, image and HTML outputs (progress bars) are left out (the docs site shows them).
Links to the site's pages (`learner.html`, or a notebook `02d_learner.ipynb`) become absolute, on the docs host of settings.ini, so they work on GitHub and PyPI.
"""
import configparser, json, re
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
        data = out.get('data', {})
        if out.get('name') == 'stderr' or 'image/png' in data or 'application/vnd.jupyter.widget-view+json' in data: continue
        if 'text/html' in data and '<table' not in ''.join(data['text/html']): continue   # a table's text form reads as well
        text = ''.join(out.get('text', '') or data.get('text/plain', ''))
        if text.strip(): parts.append(f"```\n{text.rstrip()}\n```")
    return '\n\n'.join(parts)

def docs_url() -> str:
    "The docs site's address, from settings.ini (doc_host + doc_baseurl)."
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    return cfg['DEFAULT']['doc_host'] + cfg['DEFAULT']['doc_baseurl']

def absolute_links(md: str, base: str) -> str:
    "Markdown links to relative .html pages, or to notebooks (their pages), made absolute under `base`."
    md = re.sub(r'\]\((\d\d[a-z]?_)?([A-Za-z0-9_\-]+)\.ipynb(#[^)]*)?\)', lambda m: f"]({m[2].lower()}.html{m[3] or ''})", md)
    return re.sub(r'\]\(([A-Za-z0-9_\-]+\.html(?:#[^)]*)?)\)', lambda m: f"]({base}/{m.group(1)})", md)

def readme_text() -> str:
    "README.md as nbs/index.ipynb makes it."
    nb = json.loads((ROOT/'nbs'/'index.ipynb').read_text())
    body = absolute_links('\n\n'.join(t for t in map(cell_text, nb['cells']) if t), docs_url())
    header = "<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file. -->\n\n"
    return header + body + '\n'

def main(): (ROOT/'README.md').write_text(readme_text())

if __name__ == '__main__': main()
