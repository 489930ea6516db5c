"""Make committed notebook outputs free of the machine that ran them: run after executing a notebook, with nbdev_clean.

- paths: a temporary folder (`/tmp/tmpab12cd/run`) becomes `work/run`, the data folder passed in `$NNTRAIN_DATA`
  becomes `$NNTRAIN_DATA`, the home folder `~`; the figures and messages around them are left as they are;
- stray progress: progress-bar widgets (tqdm in Jupyter), and the "Total time" boxes an older progress bar left
  behind, are dropped: the page shows what they led to.

    python tools/clean_outputs.py                 # every notebook in nbs/
    python tools/clean_outputs.py nbs/10_your_data.ipynb --check   # exit 1 if anything would change
"""
import argparse, json, os, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMP_FOLDER = re.compile(r'/(?:tmp|var/folders/[\w/]+?/T)/tmp[\w-]{6,}(?=/|\b)')
PROGRESS_LEFTOVER = re.compile(r'^(<div><p>Total time: [\d:]+</p></div>)+$')

def path_rules() -> list[tuple[re.Pattern, str]]:
    "What to replace in an output's text, most specific first."
    rules = []
    data = os.environ.get('NNTRAIN_DATA')
    if data: rules.append((re.compile(re.escape(str(Path(data).resolve())) + r'(?=/|\b)'), '$NNTRAIN_DATA'))
    rules.append((TEMP_FOLDER, 'work'))
    home = str(Path.home())
    if home not in ('/', ''): rules.append((re.compile(re.escape(home) + r'(?=/)'), '~'))
    return rules

def clean_text(text: str, rules) -> str:
    for pattern, replacement in rules: text = pattern.sub(replacement, text)
    return text

def clean_field(value, rules):
    "A text field of an output: a string or a list of lines."
    if isinstance(value, list): return [clean_text(line, rules) for line in value]
    return clean_text(value, rules) if isinstance(value, str) else value

def clean_notebook(nb: dict, rules) -> int:
    "Clean `nb` in place; the number of outputs changed or dropped."
    changed = 0
    for cell in nb['cells']:
        kept = []
        for out in cell.get('outputs', []):
            html = ''.join(out.get('data', {}).get('text/html', ''))
            if out.get('output_type') == 'display_data' and PROGRESS_LEFTOVER.match(html.strip()): changed += 1; continue
            if 'application/vnd.jupyter.widget-view+json' in out.get('data', {}): changed += 1; continue   # a live progress bar
            before = json.dumps(out)
            if 'text' in out: out['text'] = clean_field(out['text'], rules)
            for mime in [m for m in out.get('data', {}) if m.startswith('text/')]: out['data'][mime] = clean_field(out['data'][mime], rules)
            if 'traceback' in out: out['traceback'] = clean_field(out['traceback'], rules)
            changed += json.dumps(out) != before
            kept.append(out)
        if 'outputs' in cell: cell['outputs'] = kept
    return changed

def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('notebooks', nargs='*', type=Path, help='notebooks to clean (default: all of nbs/)')
    parser.add_argument('--check', action='store_true', help='change nothing; exit 1 if a notebook would change')
    args = parser.parse_args()
    rules, dirty = path_rules(), []
    for path in args.notebooks or sorted((ROOT/'nbs').glob('*.ipynb')):
        nb = json.loads(path.read_text())
        n = clean_notebook(nb, rules)
        if not n: continue
        dirty.append(f"{path.name} ({n} output{'s' * (n > 1)})")
        if not args.check: path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    if args.check and dirty: sys.exit(f"machine paths or progress leftovers in: {', '.join(dirty)}; run python tools/clean_outputs.py")
    print(f"cleaned {', '.join(dirty)}" if dirty else "nothing to clean")

if __name__ == '__main__': main()
