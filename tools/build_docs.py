"""Build the docs site offline: every processed notebook (`_proc/`, nbdev's output) becomes a static HTML page.

Quarto builds the real site (.github/workflows/deploy.yaml); it cannot be installed here, so this renders the same
content the way Quarto does: title and description from the front matter, a sidebar in the order of nbs/sidebar.yml,
code cells highlighted, outputs kept (text, HTML, images), `#|` directives honoured and removed. Notebooks are not
re-executed: nbdev's processing only runs the cells it needs for the `show_doc` outputs.

    python tools/build_docs.py              # process the notebooks, then write _site/
    python tools/build_docs.py --no-proc    # reuse _proc/ as it is
    python tools/check_docs.py              # open every page in headless Chromium and check it
"""
import argparse, base64, configparser, html, json, os, re, shutil, sys
from pathlib import Path
import mistune, yaml
from latex2mathml.converter import convert as tex_to_mathml
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

ROOT = Path(__file__).resolve().parents[1]
PROC = ROOT/'_proc'
ANSI_ESCAPE = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')
# show_doc writes pandoc link attributes, `[source](url){target="_blank" style="..."}`, which plain markdown lacks
PANDOC_LINK_ATTRS = re.compile(r'\[([^\]]*)\]\(([^)\s]*)\)\{([^}]*)\}')
DISPLAY_MIMES = ['image/png', 'image/jpeg', 'image/svg+xml', 'text/html', 'text/markdown', 'text/plain']

def settings() -> configparser.SectionProxy:
    "The [DEFAULT] section of settings.ini, with %(...)s references resolved."
    cfg = configparser.ConfigParser()
    cfg.read(ROOT/'settings.ini')
    return cfg['DEFAULT']

def site_url(cfg) -> str:
    "The published site's address (doc_host + doc_baseurl), which nbdev writes into doc links."
    return (cfg['doc_host'] + cfg['doc_baseurl']).rstrip('/') + '/'

def course_notebooks(nbs: Path) -> list[Path]:
    "The notebooks that become pages: index first, then the others by file name (so by number)."
    nbks = [p for p in nbs.glob('*.ipynb') if not p.name.startswith(('_', '.'))]
    return sorted(nbks, key=lambda p: (p.stem != 'index', p.name))

def page_name(nb_name: str) -> str:
    "nbdev's page name for a notebook: number prefix dropped, lower case (01_dataloaders.ipynb -> dataloaders.html)."
    return re.sub(r'^\d+[a-zA-Z0-9]*_', '', Path(nb_name.lower()).stem) + '.html'

# --- the sidebar ------------------------------------------------------------------------------------------------

def write_sidebar(path: Path, notebooks: list[Path]):
    "Write nbs/sidebar.yml in nbdev's format, listing `notebooks` in order."
    lines = ['website:', '  sidebar:', '    contents:'] + [f'      - {p.name}' for p in notebooks]
    path.write_text('\n'.join(lines) + '\n')

def sidebar_entries(contents, section=None) -> list[tuple]:
    "Flatten sidebar.yml contents into (section, notebook file name) pairs, keeping the order."
    entries = []
    for item in contents or []:
        if isinstance(item, str): entries.append((section, item))
        elif isinstance(item, dict) and 'contents' in item:
            entries += sidebar_entries(item['contents'], item.get('section') or item.get('text'))
        elif isinstance(item, dict) and 'href' in item: entries.append((section, item['href']))
        else: raise ValueError(f"nbs/sidebar.yml: cannot read entry {item!r} (expected a file name or a section)")
    return entries

def read_sidebar(nbs: Path, notebooks: list[Path]) -> list[tuple]:
    "The course order from nbs/sidebar.yml, written from the file names first if it does not exist."
    path = nbs/'sidebar.yml'
    if not path.exists():
        write_sidebar(path, notebooks)
        print(f"wrote {path.relative_to(ROOT)} (course order taken from the file names)")
    contents = (yaml.safe_load(path.read_text()) or {}).get('website', {}).get('sidebar', {}).get('contents')
    entries = sidebar_entries(contents)
    listed = {name for _, name in entries}
    for p in notebooks:  # a page that is built but not listed is unreachable from the sidebar: say so, then add it
        if p.name not in listed:
            print(f"warning: {p.name} is not listed in nbs/sidebar.yml; add it there (added at the end of this build's sidebar)")
            entries.append((None, p.name))
    return entries

# --- markdown and code ------------------------------------------------------------------------------------------

def pandoc_id(text: str) -> str:
    "The id pandoc (so Quarto) gives a heading; nbdev's doc links (`learner.html#learner.fit`) point at these."
    text = html.unescape(re.sub(r'<[^>]+>', '', text)).lower()
    text = re.sub(r'[^\w\s.-]', '', text).strip()
    text = re.sub(r'^[^a-z]+', '', re.sub(r'\s+', '-', text))
    return text or 'section'

COPY_BUTTON = '<button class="code-copy-button" type="button" title="Copy the code" aria-label="Copy the code"></button>'

def highlight_code(code: str, lang: str = 'python') -> str:
    "Code as highlighted HTML in Quarto's classes (so nbs/styles.css applies), with a copy button as Quarto's `code-copy` adds."
    try: lexer = get_lexer_by_name(lang or 'text')
    except ClassNotFound: lexer = get_lexer_by_name('text')
    body = highlight(code.rstrip('\n'), lexer, HtmlFormatter(nowrap=True))
    return f'<div class="sourceCode">{COPY_BUTTON}<pre class="sourceCode highlight {html.escape(lang)}"><code>{body}</code></pre></div>\n'

class PageRenderer(mistune.HTMLRenderer):
    "Markdown to HTML for one page: pandoc heading ids (unique within the page), highlighted code, a table of contents."
    def __init__(self):
        super().__init__(escape=False)  # notebooks' markdown may hold raw HTML, as Quarto allows
        self.toc, self.ids = [], set()

    def heading(self, text, level, **attrs):
        hid, n = pandoc_id(text), 1
        while hid in self.ids: hid, n = f'{pandoc_id(text)}-{n}', n + 1
        self.ids.add(hid)
        if level in (2, 3): self.toc.append((level, hid, re.sub(r'<[^>]+>', '', text)))
        return f'<h{level} id="{hid}" class="anchored">{text}<a class="anchor-link" href="#{hid}" aria-label="Link to this section">#</a></h{level}>\n'

    def block_code(self, code, info=None):
        return highlight_code(code, (info or 'text').split()[0])

    # MathJax would need a network: the TeX becomes MathML here, at build time, which browsers draw natively
    def inline_math(self, text): return f'<span class="math">{mathml(text, display=False)}</span>'
    def block_math(self, text): return f'<div class="math display">{mathml(text, display=True)}</div>\n'

def mathml(tex: str, display: bool) -> str:
    "A TeX formula as MathML (what Quarto's `html-math-method: mathml` does through pandoc)."
    try: return tex_to_mathml(tex, display='block' if display else 'inline')
    except Exception as e: raise ValueError(f"cannot turn the formula {tex!r} into MathML ({e}): simplify its TeX") from e

def markdown_parser(renderer: PageRenderer):
    "A mistune parser with the extensions Quarto's markdown has and notebooks use."
    md = mistune.create_markdown(renderer=renderer, plugins=['table', 'strikethrough', 'url', 'math'])
    return lambda text: md(PANDOC_LINK_ATTRS.sub(r'<a href="\2" \3>\1</a>', text))

# --- notebooks --------------------------------------------------------------------------------------------------

def cell_text(field) -> str: return ''.join(field) if isinstance(field, list) else (field or '')

def split_directives(source: str) -> tuple[dict, str]:
    "The `#| key: value` directives at the top of a cell, and the source without them."
    opts, lines = {}, source.splitlines()
    while lines and lines[0].startswith('#|'):
        key, _, value = lines.pop(0)[2:].strip().partition(':')
        opts[key.strip()] = value.strip() or True
    return opts, '\n'.join(lines).strip('\n')

def front_matter(nb: dict) -> tuple[dict, list]:
    "Title, description and output-file (nbdev's front matter raw cell, else `# Title` / `> description`), and the other cells."
    cells, fm = list(nb['cells']), {}
    if cells and cells[0]['cell_type'] == 'raw' and cell_text(cells[0]['source']).startswith('---'):
        fm = yaml.safe_load(cell_text(cells.pop(0)['source']).strip().strip('-')) or {}
    elif cells and cells[0]['cell_type'] == 'markdown':
        m = re.match(r'#\s+(.+?)\n(?:>\s*(.+?)(?:\n|$))?(.*)', cell_text(cells[0]['source']) + '\n', re.S)
        if m:
            fm = {'title': m[1].strip(), 'description': (m[2] or '').strip()}
            cells[0] = dict(cells[0], source=m[3])
    return fm, cells

def clean_stream(text: str) -> str:
    "Terminal text as a reader saw it: colour codes removed, lines redrawn with \\r kept at their last state."
    text = ANSI_ESCAPE.sub('', text)
    return '\n'.join(line.rsplit('\r', 1)[-1] for line in text.split('\n'))

def merge_streams(outputs: list) -> list:
    "Join consecutive stream outputs of the same name (a table printed line by line is one block)."
    merged = []
    for out in outputs:
        if out['output_type'] == 'stream' and merged and merged[-1]['output_type'] == 'stream' and merged[-1]['name'] == out['name']:
            merged[-1] = dict(merged[-1], text=cell_text(merged[-1]['text']) + cell_text(out['text']))
        else: merged.append(out)
    return merged

TABLE_ROW = re.compile(r'^\s*\|.*\|\s*$|\S {2,}\S')

def output_pre(text: str) -> str:
    "Text output as a <pre>: log lines and prose wrap at the column; the rows of a text table (aligned columns) keep their line."
    lines = text.split('\n')
    rows = [bool(TABLE_ROW.search(l)) for l in lines]
    if not any(rows): return f'<pre class="wrap"><code>{html.escape(text)}</code></pre>'
    if all(r or not l.strip() for r, l in zip(rows, lines)): return f'<pre><code>{html.escape(text)}</code></pre>'
    # a log with a table in it (a data line, then one row per epoch): each prose line wraps on its own
    body = '\n'.join(html.escape(l) if r else f'<span class="wrap">{html.escape(l)}</span>' for r, l in zip(rows, lines))
    return f'<pre><code>{body}</code></pre>'

def png_size(b64: str) -> tuple[int, int]:
    "Width and height of a base64 PNG, from its header."
    head = base64.b64decode(b64.strip()[:44])
    return (int.from_bytes(head[16:20], 'big'), int.from_bytes(head[20:24], 'big')) if head[:4] == b'\x89PNG' else (0, 0)

def render_output(out: dict, asis: bool, md) -> str:
    "One output as HTML, choosing the richest representation a static page can show."
    kind = out['output_type']
    if kind == 'stream':
        text = clean_stream(cell_text(out['text'])).rstrip('\n')
        return f'<div class="cell-output cell-output-{out["name"]}">{output_pre(text)}</div>\n' if text.strip() else ''
    if kind == 'error':
        tb = clean_stream('\n'.join(out.get('traceback') or [f"{out.get('ename')}: {out.get('evalue')}"]))
        return f'<div class="cell-output cell-output-error">{output_pre(tb)}</div>\n'
    data, meta = out.get('data', {}), out.get('metadata', {})
    if 'application/vnd.jupyter.widget-view+json' in data: return ''  # a live widget: its saved text is only its first state
    if asis and 'text/markdown' in data:   # show_doc's entry: its heading marked as a definition, which search ranks first
        entry = md(cell_text(data["text/markdown"])).replace('class="anchored"', 'class="anchored doc-entry"')
        return f'<div class="cell-output-display">{entry}</div>\n'
    mime = next((m for m in DISPLAY_MIMES if m in data), None)
    if mime is None: return ''
    value = cell_text(data[mime])
    if mime in ('image/png', 'image/jpeg'):
        size = ''.join(f' {k}="{v}"' for k, v in (meta.get(mime) or {}).items() if k in ('width', 'height'))
        w, h = png_size(value) if mime == 'image/png' else (0, 0)
        # a strip (3 times wider than tall): on a phone it keeps 70% of its size and scrolls in its box, so labels stay readable
        strip = f' class="strip" style="--natural-width: {w}px"' if h and w > 3 * h else ''
        body = f'<img src="data:{mime};base64,{value.strip()}" alt=""{size}{strip}>'
    elif mime == 'image/svg+xml' or mime == 'text/html': body = value
    elif mime == 'text/markdown': body = md(value)
    else: return f'<div class="cell-output cell-output-display">{output_pre(clean_stream(value))}</div>\n'
    return f'<div class="cell-output cell-output-display">{body}</div>\n'

def render_cell(cell: dict, md) -> str:
    "One notebook cell as HTML; hidden cells and directive lines left out as the Quarto site does."
    if cell['cell_type'] == 'markdown':
        src = cell_text(cell['source'])
        for name, att in (cell.get('attachments') or {}).items():  # pasted images live inside the cell
            mime, data = next(iter(att.items()))
            src = src.replace(f'attachment:{name}', f'data:{mime};base64,{cell_text(data)}')
        return md(src)
    if cell['cell_type'] != 'code': return ''  # raw cells are for other output formats
    opts, source = split_directives(cell_text(cell['source']))
    if {'hide', 'export', 'exporti'} & opts.keys() or opts.get('include') == 'false': return ''  # nbdev's _proc has dropped these already
    hidden_source = opts.get('echo') == 'false'
    parts = [] if hidden_source or not source.strip() else [highlight_code(source)]
    if opts.get('output') != 'false':
        parts += [render_output(o, opts.get('output') == 'asis', md) for o in merge_streams(cell.get('outputs', []))]
    body = ''.join(parts)
    # a hidden source (e.g. `show_doc(Learner)`) is kept in an attribute so the check can name the cell in its messages
    attr = f' data-source="{html.escape(source)}"' if hidden_source else ''
    return f'<div class="cell"{attr}>\n{body}</div>\n' if body.strip() else ''

def localise_links(page: str, url: str, notebooks: set) -> str:
    "Point links at this site's pages: the published site's address and links to notebooks become relative."
    def fix(m):
        href = html.unescape(m[2])
        if href.startswith(url): href = href[len(url):] or 'index.html'
        target, sep, frag = href.partition('#')
        if target in notebooks: href = page_name(target) + sep + frag
        return f'{m[1]}"{html.escape(href)}"'
    return re.sub(r'(<a\s[^>]*?href=)"([^"]*)"', fix, page)

def copy_local_images(page: str, nbs: Path, out: Path):
    "Copy images that markdown refers to by a relative path (e.g. images/x.png) next to the page."
    for src in re.findall(r'<img\s[^>]*?src="([^"]+)"', page):
        if re.match(r'^[a-z]+:', src) or src.startswith('/'): continue
        if (nbs/src).is_file():
            (out/src).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(nbs/src, out/src)

# --- the page ---------------------------------------------------------------------------------------------------

def title_html(title: str) -> str:
    "A page title as HTML: escaped, with its `code` spans as code."
    return re.sub(r'`([^`]+)`', r'<code>\1</code>', html.escape(title))

def nav_html(entries: list, titles: dict, current: str) -> str:
    "The sidebar: the course in order, the current page marked."
    items, section = [], None
    for sec, nb in entries:
        if sec != section and sec: items.append(f'<li class="nav-section">{html.escape(sec)}</li>')
        section = sec
        name = page_name(nb)
        cls = ' class="active" aria-current="page"' if name == current else ''
        items.append(f'<li><a href="{name}"{cls}>{title_html(titles.get(nb, Path(nb).stem))}</a></li>')
    return '<ul>\n' + '\n'.join(items) + '\n</ul>'

def toc_html(toc: list) -> str:
    "The 'On this page' list of the page's level 2 and 3 headings."
    if not toc: return ''
    items = ''.join(f'<li class="toc-h{level}"><a href="#{hid}">{text}</a></li>' for level, hid, text in toc)
    return f'<nav class="toc" aria-label="On this page"><h2>On this page</h2><ul>{items}</ul></nav>'

def pager_html(entries: list, titles: dict, current: str) -> str:
    "Previous / next links, so the course reads in order."
    names = [nb for _, nb in entries]
    idx = next((i for i, nb in enumerate(names) if page_name(nb) == current), None)
    if idx is None: return ''
    link = lambda i, cls, arrow: (f'<a class="{cls}" href="{page_name(names[i])}">{arrow} {title_html(titles.get(names[i], names[i]))}</a>'
                                  if 0 <= i < len(names) else '<span></span>')
    return f'<nav class="pager">{link(idx - 1, "prev", "&larr;")}{link(idx + 1, "next", "&rarr;")}</nav>'

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} &ndash; {site_title}</title>
<meta name="description" content="{plain_description}">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="site.css">
<link rel="stylesheet" href="styles.css">
<script src="search.js" defer></script>
<script src="site.js" defer></script>
</head>
<body>
<header class="navbar"><button class="sidebar-toggle" type="button" aria-label="Show the course's pages" aria-controls="sidebar"
aria-expanded="false">&#9776;</button><a class="brand" href="index.html">{site_title}</a>
<div class="search"><input id="search" type="search" placeholder="Search the course (/)" aria-label="Search the course" aria-keyshortcuts="/"
autocomplete="off"><div id="search-results" hidden></div></div>
<nav class="repo-links" aria-label="Repository"><a href="{git_url}">GitHub</a><a href="{git_url}/issues">Issues</a></nav></header>
<div class="layout">
<nav class="sidebar" id="sidebar" aria-label="Course">{nav}</nav>
<main id="content">
<header class="page-header"><h1 class="title">{title_html}</h1>{description}</header>
<div class="page-content">
{body}</div>
{pager}
</main>
{toc}
</div>
</body>
</html>
"""

# Colours are variables, so the dark scheme (following the system's setting) only redefines them
SITE_CSS = """
:root { --primary: #2780e3; --border: #dee2e6; --muted: #6c757d; --code-bg: #f7f7f9; --text: #212529; --bg: #fff;
        --nav-text: #343a40; --active-bg: #f1f6fd; --stripe: #f8f9fa; --inline-code: #9753b8; --toc-text: #495057; }
@media (prefers-color-scheme: dark) {
  :root { --primary: #6ea8fe; --border: #3a3f44; --muted: #adb5bd; --code-bg: #1e2227; --text: #dee2e6; --bg: #16191d;
          --nav-text: #ced4da; --active-bg: #1d2a3a; --stripe: #1b1f24; --inline-code: #d2a8ff; --toc-text: #adb5bd; }
  .navbar { background: #1d3557 !important; }
  .cell-output-stderr pre { color: #ffda6a !important; background: #2b2610 !important; }
  .cell-output-error pre { color: #ea868f !important; background: #2c0b0e !important; }
  .cell-output-display img { background: #fff; }   /* figures drawn on white keep their white */
}
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--text); background: var(--bg); }
a { color: var(--primary); text-decoration: none; } a:hover { text-decoration: underline; }
.navbar { background: var(--primary); padding: .6rem 1.5rem; display: flex; justify-content: space-between; align-items: center; }
.navbar a { color: #fff; } .navbar .brand { font-size: 1.25rem; font-weight: 600; }
.layout { display: grid; grid-template-columns: 13rem minmax(0, 56rem) 12rem; gap: 1.75rem; justify-content: center; padding: 0 1rem; }
.sidebar, .toc { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow-y: auto; padding-top: 2rem; font-size: .9rem; }
.sidebar ul, .toc ul { list-style: none; margin: 0; padding: 0; }
.sidebar li a { display: block; padding: .3rem .6rem; border-left: 2px solid transparent; color: var(--nav-text); }
.sidebar li a.active { border-left-color: var(--primary); color: var(--primary); font-weight: 600; background: var(--active-bg); }
.sidebar .nav-section { margin-top: .8rem; font-weight: 600; color: var(--muted); text-transform: uppercase; font-size: .75rem; }
.toc h2 { font-size: .8rem; text-transform: uppercase; color: var(--muted); margin: 0 0 .5rem; }
.toc li a { display: block; padding: .15rem 0 .15rem .5rem; color: var(--toc-text); border-left: 2px solid transparent; }
.toc li.toc-h3 a { padding-left: 1.2rem; font-size: .85rem; }
.toc li a.active { color: var(--primary); border-left-color: var(--primary); font-weight: 600; }
main { padding: 2rem 0 4rem; min-width: 0; }
.page-header { border-bottom: 1px solid var(--border); margin-bottom: 1.5rem; padding-bottom: .8rem; }
h1.title { margin: 0 0 .3rem; font-size: 2.3rem; line-height: 1.2; }
h2 { margin-top: 2.2rem; padding-bottom: .3rem; border-bottom: 1px solid var(--border); } h3 { margin-top: 1.6rem; }
.anchor-link { visibility: hidden; margin-left: .4rem; font-size: .8em; color: var(--muted); }
h2:hover .anchor-link, h3:hover .anchor-link, h4:hover .anchor-link { visibility: visible; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .875em; }
p code, li code, td code { background: var(--code-bg); color: var(--inline-code); padding: .1rem .25rem; border-radius: 3px; overflow-wrap: anywhere; }
a code, p a code, li a code, td a code { color: var(--primary); }  /* doc links are code: keep them visibly links */
pre { background: var(--code-bg); padding: .75rem 1rem; border-radius: 4px; overflow-x: auto; line-height: 1.45; margin: 0 0 1rem; }
pre code { background: none; color: inherit; padding: 0; font-size: .85rem; }
/* source code wraps at the column (Quarto's code-overflow: wrap), continued lines indented; outputs keep their layout */
pre.sourceCode { white-space: pre-wrap; overflow-wrap: anywhere; }
.sourceCode { position: relative; }
.code-copy-button { position: absolute; top: .35rem; right: .35rem; padding: .1rem .45rem; border: 1px solid var(--border);
                    border-radius: 4px; background: var(--bg); color: var(--muted); cursor: pointer; opacity: .55; font-size: .75rem; }
.code-copy-button::before { content: "Copy"; } .code-copy-button.copied::before { content: "Copied"; }
.sourceCode:hover .code-copy-button, .code-copy-button:focus { opacity: 1; }
.cell-output pre { background: none; max-height: 32rem; }
.cell-output pre, .cell-output-display pre { padding: .6rem .75rem; }
.cell-output pre code, .cell-output-display pre code { font-size: .76rem; }   /* a 100-character log line fits at 1280 px */
pre.wrap, pre span.wrap { white-space: pre-wrap; overflow-wrap: anywhere; }   /* a log line wraps; a text table (no .wrap) keeps its columns */
.cell-output-stderr pre { color: #856404; background: #fffbea; }
.cell-output-error pre { color: #842029; background: #fbeaec; border-left-color: #dc3545 !important; }
.cell-output-display { margin: .5rem 0 1rem; overflow-x: auto; }
img { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .9rem; display: block; max-width: 100%; overflow-x: auto; }
th, td { border-bottom: 1px solid var(--border); padding: .35rem .75rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--muted); } tbody tr:nth-child(odd) { background: var(--stripe); }
td:not(:last-child) code { white-space: nowrap; overflow-wrap: normal; }   /* a name, type or default stays whole */
table.dataframe { border: 0; width: auto; } table.dataframe td, table.dataframe th { border: 0; border-bottom: 1px solid var(--border); }
table.dataframe td { text-align: right; font-variant-numeric: tabular-nums; }   /* pandas' tables: numbers line up */
hr { border: 0; border-top: 1px solid var(--border); margin: 1.5rem 0 .5rem; }
math { font-family: math, "STIX Two Math", "Latin Modern Math", Cambria, serif; font-size: 1.05em; }
.math.display { display: block; margin: 1rem 0; overflow-x: auto; }
.pager { display: flex; justify-content: space-between; border-top: 1px solid var(--border); margin-top: 3rem; padding-top: 1rem; }
.search { position: relative; flex: 0 1 24rem; margin: 0 1.5rem; }
#search { width: 100%; padding: .3rem .6rem; border: 0; border-radius: 4px; font-size: .95rem; }
#search-results { position: absolute; top: 2.3rem; left: 0; right: 0; z-index: 10; background: var(--bg); border: 1px solid var(--border);
                  border-radius: 4px; box-shadow: 0 4px 12px rgba(0,0,0,.15); max-height: 70vh; overflow-y: auto; }
#search-results a { display: block; padding: .45rem .75rem; color: var(--text); border-bottom: 1px solid var(--border); }
#search-results a:hover, #search-results a:focus { background: var(--active-bg); text-decoration: none; }
#search-results .where { color: var(--muted); font-size: .8rem; } #search-results .snippet { font-size: .85rem; color: var(--toc-text); }
#search-results .kind { float: right; font-size: .75rem; color: var(--muted); }
#search-results .none { padding: .45rem .75rem; color: var(--muted); }
.repo-links a { margin-left: 1rem; }
.sidebar-toggle { display: none; background: none; border: 0; color: #fff; font-size: 1.4rem; padding: 0 .6rem 0 0; cursor: pointer; }
@media (max-width: 75rem) { .layout { grid-template-columns: 13rem minmax(0, 1fr); } .toc { display: none; } }
/* a phone: the sidebar hides behind the menu button, the page takes the whole width */
@media (max-width: 48rem) {
  .layout { display: block; padding: 0 .9rem; }
  .sidebar-toggle { display: inline-block; }
  .sidebar { display: none; position: static; max-height: none; padding-top: .5rem; border-bottom: 1px solid var(--border); }
  body.sidebar-open .sidebar { display: block; }
  .navbar { padding: .5rem .9rem; flex-wrap: wrap; }
  .search { order: 3; flex: 1 0 100%; margin: .4rem 0 0; }
  h1.title { font-size: 1.8rem; } div.description { font-size: 115%; }
  main { padding-top: 1.2rem; }
  pre { padding: .6rem .7rem; }
  img.strip { max-width: none; width: calc(var(--natural-width) * .7); }
}
"""

# --- offline search ---------------------------------------------------------------------------------------------

HEADING = re.compile(r'<h([23]) id="([^"]+)"(?: class="([^"]*)")?[^>]*>(.*?)<a class="anchor-link"', re.S)

def plain_text(fragment: str) -> str:
    "The text of an HTML fragment, tags dropped and whitespace collapsed."
    return ' '.join(html.unescape(re.sub(r'<[^>]+>', ' ', re.sub(r'<(script|style)\b.*?</\1>', ' ', fragment, flags=re.S))).split())

def search_entries(page: str, title: str, body: str) -> list[dict]:
    "One search entry per section of a page (the part before the first heading, then each h2 and h3): its prose and its code."
    cuts = [(0, '', title, False)] + [(m.start(), m[2], plain_text(m[4]), 'doc-entry' in (m[3] or '')) for m in HEADING.finditer(body)]
    body = re.sub(r'<a class="anchor-link"[^>]*>#</a>', lambda m: ' ' * len(m[0]), body)   # same offsets, no '#' in the text
    entries = []
    for (start, anchor, heading, definition), (end, *_) in zip(cuts, cuts[1:] + [(len(body), '', '', False)]):
        section = body[start:end]
        blocks = re.findall(r'<pre\b.*?</pre>', section, flags=re.S)
        # code and outputs: the highlighter's token spans joined as written (plain_text would space every token apart)
        code = ' '.join(' '.join(html.unescape(re.sub(r'<[^>]+>', '', b)).split()) for b in blocks)
        text = plain_text(re.sub(r'<pre\b.*?</pre>', ' ', section, flags=re.S))
        if text or code: entries.append(dict(page=page, anchor=anchor, title=title, heading=heading, text=text[:3000], code=code[:3000],
                                             definition=definition))
    return entries

# The search runs in the page over an index in a script file (not fetched JSON, which browsers refuse over file://)
SEARCH_JS = """
document.addEventListener('DOMContentLoaded', () => {
  const box = document.getElementById('search'), results = document.getElementById('search-results');
  if (!box) return;
  const esc = s => s.replace(/[&<>"]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
  const show = () => {
    const words = box.value.toLowerCase().split(/\\s+/).filter(w => w.length > 1);
    if (!words.length) { results.hidden = true; return; }
    const hits = SEARCH_INDEX.map(e => {
      const head = (e.title + ' ' + e.heading).toLowerCase(), text = e.text.toLowerCase(), code = e.code.toLowerCase();
      if (!words.every(w => head.includes(w) || text.includes(w) || code.includes(w))) return null;
      const count = (s, w) => Math.min(s.split(w).length - 1, 5);
      // a definition whose name is a query word (`Learner` for "learner", `Learner.fit` for "fit") ranks first
      const name = e.heading.toLowerCase(), named = e.definition && words.some(w => name === w || name.endsWith('.' + w));
      return {e, score: (named ? 1000 : 0) + (e.definition && words.some(w => name.includes(w)) ? 50 : 0) +
                        words.reduce((s, w) => s + (head.includes(w) ? 10 : 0) + count(text, w) + count(code, w) / 2, 0)};
    }).filter(Boolean).sort((a, b) => b.score - a.score).slice(0, 12);
    // the snippet comes from the prose where it has the first word, else from the code (shown as code)
    const snippet = (s, w) => { const at = s.toLowerCase().indexOf(w), from = Math.max(0, at - 60);
                                 return at < 0 ? null : (from ? '…' : '') + s.slice(from, at + 100) + '…'; };
    results.innerHTML = hits.length ? hits.map(({e}) => {
      const prose = snippet(e.text, words[0]), code = prose ? null : snippet(e.code, words[0]);
      const shown = prose ? esc(prose) : code ? `<code>${esc(code)}</code>` : esc(e.text.slice(0, 140));
      return `<a href="${e.page}${e.anchor ? '#' + e.anchor : ''}"><div class="where">${esc(e.title)}` +
             `${e.definition ? '<span class="kind">definition</span>' : ''}</div>` +
             `<div>${esc(e.heading || e.title)}</div><div class="snippet">${shown}</div></a>`;
    }).join('') : '<div class="none">No section mentions all of these words.</div>';
    results.hidden = false;
  };
  box.addEventListener('input', show);
  box.addEventListener('keydown', ev => {
    if (ev.key === 'Escape') { box.value = ''; show(); box.blur(); }
    if (ev.key === 'Enter') { const first = results.querySelector('a'); if (first) first.click(); }
  });
  // '/' (or Ctrl-K) anywhere but in a text field jumps to the search box, as on most documentation sites
  document.addEventListener('keydown', ev => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if ((ev.key === '/' && !typing) || (ev.key === 'k' && (ev.ctrlKey || ev.metaKey))) { ev.preventDefault(); box.focus(); box.select(); }
  });
  document.addEventListener('click', ev => { if (!ev.target.closest('.search')) results.hidden = true; });
});
"""

SITE_JS = """
document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('.code-copy-button').forEach(button => button.addEventListener('click', async () => {
    const code = button.parentElement.querySelector('pre code').innerText;
    try { await navigator.clipboard.writeText(code); } catch (e) {   // file:// pages may not reach the clipboard API
      const area = Object.assign(document.createElement('textarea'), {value: code}); document.body.append(area);
      area.select(); document.execCommand('copy'); area.remove(); }
    button.classList.add('copied'); button.title = 'Copied'; setTimeout(() => { button.classList.remove('copied'); button.title = 'Copy the code'; }, 1500);
  }));
  // the table of contents marks the section being read: the last heading above the top quarter of the window
  const links = [...document.querySelectorAll('.toc a')], headings = links.map(a => document.getElementById(a.hash.slice(1)));
  const mark = () => {
    let current = 0;
    headings.forEach((h, i) => { if (h && h.getBoundingClientRect().top < window.innerHeight / 4) current = i; });
    links.forEach((a, i) => a.classList.toggle('active', i === current));
  };
  if (links.length) { mark(); document.addEventListener('scroll', mark, {passive: true}); }
  const toggle = document.querySelector('.sidebar-toggle');
  if (toggle) toggle.addEventListener('click', () => {
    const open = document.body.classList.toggle('sidebar-open'); toggle.setAttribute('aria-expanded', open);
  });
});
"""

def build(out: Path, proc: bool = True):
    "Write the site for every notebook in nbs/ to `out`; return the page names written."
    cfg = settings()
    nbs, url = ROOT/cfg['nbs_path'], site_url(cfg)
    notebooks = course_notebooks(nbs)
    if not notebooks: sys.exit(f"error: no notebooks in {nbs}")
    entries = read_sidebar(nbs, notebooks)
    if proc: process_notebooks()
    missing = [p.name for p in notebooks if not (PROC/p.name).exists()]
    if missing: sys.exit(f"error: {', '.join(missing)} not processed into {PROC}; run without --no-proc (or nbdev_proc_nbs)")
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob('*.html'): stale.unlink()  # a page whose notebook is gone must not linger
    parsed = {p.name: front_matter(json.loads((PROC/p.name).read_text())) for p in notebooks}
    index = []
    titles = {name: str(fm.get('title') or Path(name).stem) for name, (fm, _) in parsed.items()}
    for name, (fm, cells) in parsed.items():
        if not fm.get('title'): print(f"warning: {name} has no title: start it with a markdown cell '# Title' then '> description'")
        page = page_name(fm.get('output-file') or name)
        renderer = PageRenderer()
        md = markdown_parser(renderer)
        body = ''.join(render_cell(c, md) for c in cells)
        desc = str(fm.get('description') or '')
        html_page = PAGE.format(
            title=html.escape(titles[name].replace('`', '')), title_html=title_html(titles[name]), site_title=html.escape(cfg['title']), git_url=html.escape(cfg['git_url']),
            plain_description=html.escape(desc), description=f'<div class="description">{md(desc)}</div>' if desc else '',
            nav=nav_html(entries, titles, page), body=body, pager=pager_html(entries, titles, page), toc=toc_html(renderer.toc))
        html_page = localise_links(html_page, url, {p.name for p in notebooks})
        copy_local_images(html_page, nbs, out)
        (out/page).write_text(html_page)
        index += search_entries(page, titles[name], body)
    (out/'search.js').write_text(f"const SEARCH_INDEX = {json.dumps(index, ensure_ascii=False)};\n{SEARCH_JS}")
    dark_code = HtmlFormatter(style='github-dark').get_style_defs('.highlight')
    (out/'site.css').write_text(SITE_CSS + HtmlFormatter(style='default').get_style_defs('.highlight') +
                                f"\n@media (prefers-color-scheme: dark) {{\n{dark_code}\n.highlight {{ background: none; }}\n}}\n")
    (out/'site.js').write_text(SITE_JS)
    shutil.copy2(nbs/'favicon.svg', out/'favicon.svg')   # the Quarto site's too (nbs/_quarto.yml)
    if (nbs/'styles.css').exists(): shutil.copy2(nbs/'styles.css', out/'styles.css')
    else: (out/'styles.css').write_text('')
    return [page_name(p.name) for p in notebooks]

def process_notebooks():
    "Run nbdev's notebook processing into _proc/ (what nbdev_proc_nbs does, without its Quarto install and setup steps)."
    from nbdev.serve import proc_nbs
    cwd = os.getcwd()
    os.chdir(ROOT)  # nbdev finds settings.ini from the working directory
    try: proc_nbs(n_workers=0)  # only show_doc cells run; one process keeps the shared machine free
    finally: os.chdir(cwd)

def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', type=Path, default=ROOT/'_site', help='folder to write the site to (default: _site)')
    parser.add_argument('--no-proc', action='store_true', help='use _proc/ as it is instead of running nbdev processing')
    args = parser.parse_args()
    pages = build(args.out.resolve(), proc=not args.no_proc)
    print(f"wrote {len(pages)} pages to {args.out}: {', '.join(pages)}")

if __name__ == '__main__': main()
