"""Build the docs site offline: every processed notebook (`_proc/`, nbdev's output) becomes a static HTML page.

Quarto builds the real site (.github/workflows/deploy.yaml); it cannot be installed here, so this renders the same
content the way Quarto does: title and description from the front matter, a sidebar in the order of nbs/sidebar.yml,
code cells highlighted, outputs kept (text, HTML, images), `#|` directives honoured and removed. Notebooks are not
re-executed: nbdev's processing only runs the cells it needs for the `show_doc` outputs.

    python tools/build_docs.py              # process the notebooks, then write _site/
    python tools/build_docs.py --no-proc    # reuse _proc/ as it is
    python tools/check_docs.py              # open every page in headless Chromium and check it
"""
import argparse, configparser, html, json, os, re, shutil, sys
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

def highlight_code(code: str, lang: str = 'python') -> str:
    "Code as highlighted HTML in Quarto's classes (so nbs/styles.css applies)."
    try: lexer = get_lexer_by_name(lang or 'text')
    except ClassNotFound: lexer = get_lexer_by_name('text')
    body = highlight(code.rstrip('\n'), lexer, HtmlFormatter(nowrap=True))
    return f'<div class="sourceCode"><pre class="sourceCode highlight {html.escape(lang)}"><code>{body}</code></pre></div>\n'

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

def render_output(out: dict, asis: bool, md) -> str:
    "One output as HTML, choosing the richest representation a static page can show."
    kind = out['output_type']
    if kind == 'stream':
        text = clean_stream(cell_text(out['text'])).rstrip('\n')
        return f'<div class="cell-output cell-output-{out["name"]}"><pre><code>{html.escape(text)}</code></pre></div>\n' if text.strip() else ''
    if kind == 'error':
        tb = clean_stream('\n'.join(out.get('traceback') or [f"{out.get('ename')}: {out.get('evalue')}"]))
        return f'<div class="cell-output cell-output-error"><pre><code>{html.escape(tb)}</code></pre></div>\n'
    data, meta = out.get('data', {}), out.get('metadata', {})
    if 'application/vnd.jupyter.widget-view+json' in data: return ''  # a live widget: its saved text is only its first state
    if asis and 'text/markdown' in data: return f'<div class="cell-output-display">{md(cell_text(data["text/markdown"]))}</div>\n'
    mime = next((m for m in DISPLAY_MIMES if m in data), None)
    if mime is None: return ''
    value = cell_text(data[mime])
    if mime in ('image/png', 'image/jpeg'):
        size = ''.join(f' {k}="{v}"' for k, v in (meta.get(mime) or {}).items() if k in ('width', 'height'))
        body = f'<img src="data:{mime};base64,{value.strip()}" alt=""{size}>'
    elif mime == 'image/svg+xml' or mime == 'text/html': body = value
    elif mime == 'text/markdown': body = md(value)
    else: return f'<div class="cell-output cell-output-display"><pre><code>{html.escape(clean_stream(value))}</code></pre></div>\n'
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

def nav_html(entries: list, titles: dict, current: str) -> str:
    "The sidebar: the course in order, the current page marked."
    items, section = [], None
    for sec, nb in entries:
        if sec != section and sec: items.append(f'<li class="nav-section">{html.escape(sec)}</li>')
        section = sec
        name = page_name(nb)
        cls = ' class="active" aria-current="page"' if name == current else ''
        items.append(f'<li><a href="{name}"{cls}>{html.escape(titles.get(nb, Path(nb).stem))}</a></li>')
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
    link = lambda i, cls, arrow: (f'<a class="{cls}" href="{page_name(names[i])}">{arrow} {html.escape(titles.get(names[i], names[i]))}</a>'
                                  if 0 <= i < len(names) else '<span></span>')
    return f'<nav class="pager">{link(idx - 1, "prev", "&larr;")}{link(idx + 1, "next", "&rarr;")}</nav>'

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} &ndash; {site_title}</title>
<meta name="description" content="{plain_description}">
<link rel="stylesheet" href="site.css">
<link rel="stylesheet" href="styles.css">
<script src="search.js" defer></script>
</head>
<body>
<header class="navbar"><a class="brand" href="index.html">{site_title}</a>
<div class="search"><input id="search" type="search" placeholder="Search the course" aria-label="Search the course" autocomplete="off">
<div id="search-results" hidden></div></div><a class="repo" href="{git_url}">GitHub</a></header>
<div class="layout">
<nav class="sidebar" aria-label="Course">{nav}</nav>
<main id="content">
<header class="page-header"><h1 class="title">{title}</h1>{description}</header>
<div class="page-content">
{body}</div>
{pager}
</main>
{toc}
</div>
</body>
</html>
"""

SITE_CSS = """
:root { --primary: #2780e3; --border: #dee2e6; --muted: #6c757d; --code-bg: #f7f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #212529; }
a { color: var(--primary); text-decoration: none; } a:hover { text-decoration: underline; }
.navbar { background: var(--primary); padding: .6rem 1.5rem; display: flex; justify-content: space-between; align-items: center; }
.navbar a { color: #fff; } .navbar .brand { font-size: 1.25rem; font-weight: 600; }
.layout { display: grid; grid-template-columns: 15rem minmax(0, 52rem) 14rem; gap: 2.5rem; justify-content: center; padding: 0 1.5rem; }
.sidebar, .toc { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow-y: auto; padding-top: 2rem; font-size: .9rem; }
.sidebar ul, .toc ul { list-style: none; margin: 0; padding: 0; }
.sidebar li a { display: block; padding: .3rem .6rem; border-left: 2px solid transparent; color: #343a40; }
.sidebar li a.active { border-left-color: var(--primary); color: var(--primary); font-weight: 600; background: #f1f6fd; }
.sidebar .nav-section { margin-top: .8rem; font-weight: 600; color: var(--muted); text-transform: uppercase; font-size: .75rem; }
.toc h2 { font-size: .8rem; text-transform: uppercase; color: var(--muted); margin: 0 0 .5rem; }
.toc li a { display: block; padding: .15rem 0; color: #495057; } .toc li.toc-h3 a { padding-left: .9rem; font-size: .85rem; }
main { padding: 2rem 0 4rem; min-width: 0; }
.page-header { border-bottom: 1px solid var(--border); margin-bottom: 1.5rem; padding-bottom: .8rem; }
h1.title { margin: 0 0 .3rem; font-size: 2.3rem; line-height: 1.2; }
h2 { margin-top: 2.2rem; padding-bottom: .3rem; border-bottom: 1px solid #eee; } h3 { margin-top: 1.6rem; }
.anchor-link { visibility: hidden; margin-left: .4rem; font-size: .8em; color: var(--muted); }
h2:hover .anchor-link, h3:hover .anchor-link, h4:hover .anchor-link { visibility: visible; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .875em; }
p code, li code, td code { background: var(--code-bg); color: #9753b8; padding: .1rem .25rem; border-radius: 3px; }
a code, p a code, li a code, td a code { color: var(--primary); }  /* doc links are code: keep them visibly links */
pre { background: var(--code-bg); padding: .75rem 1rem; border-radius: 4px; overflow-x: auto; line-height: 1.45; margin: 0 0 1rem; }
pre code { background: none; color: inherit; padding: 0; font-size: .85rem; }
.cell-output pre { background: none; max-height: 32rem; }
.cell-output-stderr pre { color: #856404; background: #fffbea; }
.cell-output-error pre { color: #842029; background: #fbeaec; border-left-color: #dc3545 !important; }
.cell-output-display { margin: .5rem 0 1rem; overflow-x: auto; }
img { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--border); padding: .35rem .75rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #adb5bd; } tbody tr:nth-child(odd) { background: #f8f9fa; }
hr { border: 0; border-top: 1px solid var(--border); margin: 1.5rem 0 .5rem; }
math { font-family: math, "STIX Two Math", "Latin Modern Math", Cambria, serif; font-size: 1.05em; }
.math.display { display: block; margin: 1rem 0; overflow-x: auto; }
.pager { display: flex; justify-content: space-between; border-top: 1px solid var(--border); margin-top: 3rem; padding-top: 1rem; }
.search { position: relative; flex: 0 1 24rem; margin: 0 1.5rem; }
#search { width: 100%; padding: .3rem .6rem; border: 0; border-radius: 4px; font-size: .95rem; }
#search-results { position: absolute; top: 2.3rem; left: 0; right: 0; z-index: 10; background: #fff; border: 1px solid var(--border);
                  border-radius: 4px; box-shadow: 0 4px 12px rgba(0,0,0,.15); max-height: 70vh; overflow-y: auto; }
#search-results a { display: block; padding: .45rem .75rem; color: #212529; border-bottom: 1px solid #f1f3f5; }
#search-results a:hover, #search-results a:focus { background: #f1f6fd; text-decoration: none; }
#search-results .where { color: var(--muted); font-size: .8rem; } #search-results .snippet { font-size: .85rem; color: #495057; }
#search-results .none { padding: .45rem .75rem; color: var(--muted); }
@media (max-width: 75rem) { .layout { grid-template-columns: 13rem minmax(0, 1fr); } .toc { display: none; } }
@media (max-width: 48rem) { .layout { display: block; } .sidebar { position: static; max-height: none; } }
"""

# --- offline search ---------------------------------------------------------------------------------------------

HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)<a class="anchor-link"', re.S)

def plain_text(fragment: str) -> str:
    "The text of an HTML fragment, tags dropped and whitespace collapsed."
    return ' '.join(html.unescape(re.sub(r'<[^>]+>', ' ', re.sub(r'<(script|style)\b.*?</\1>', ' ', fragment, flags=re.S))).split())

def search_entries(page: str, title: str, body: str) -> list[dict]:
    "One search entry per section of a page (the part before the first heading, then each h2 and h3): its prose and its code."
    cuts = [(0, '', title)] + [(m.start(), m[2], plain_text(m[3])) for m in HEADING.finditer(body)]
    body = re.sub(r'<a class="anchor-link"[^>]*>#</a>', lambda m: ' ' * len(m[0]), body)   # same offsets, no '#' in the text
    entries = []
    for (start, anchor, heading), (end, *_) in zip(cuts, cuts[1:] + [(len(body), '', '')]):
        section = body[start:end]
        blocks = re.findall(r'<pre\b.*?</pre>', section, flags=re.S)
        # code and outputs: the highlighter's token spans joined as written (plain_text would space every token apart)
        code = ' '.join(' '.join(html.unescape(re.sub(r'<[^>]+>', '', b)).split()) for b in blocks)
        text = plain_text(re.sub(r'<pre\b.*?</pre>', ' ', section, flags=re.S))
        if text or code: entries.append(dict(page=page, anchor=anchor, title=title, heading=heading, text=text[:3000], code=code[:3000]))
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
      return {e, score: words.reduce((s, w) => s + (head.includes(w) ? 10 : 0) + count(text, w) + count(code, w) / 2, 0)};
    }).filter(Boolean).sort((a, b) => b.score - a.score).slice(0, 12);
    // the snippet comes from the prose where it has the first word, else from the code (shown as code)
    const snippet = (s, w) => { const at = s.toLowerCase().indexOf(w), from = Math.max(0, at - 60);
                                 return at < 0 ? null : (from ? '…' : '') + s.slice(from, at + 100) + '…'; };
    results.innerHTML = hits.length ? hits.map(({e}) => {
      const prose = snippet(e.text, words[0]), code = prose ? null : snippet(e.code, words[0]);
      const shown = prose ? esc(prose) : code ? `<code>${esc(code)}</code>` : esc(e.text.slice(0, 140));
      return `<a href="${e.page}${e.anchor ? '#' + e.anchor : ''}"><div class="where">${esc(e.title)}</div>` +
             `<div>${esc(e.heading || e.title)}</div><div class="snippet">${shown}</div></a>`;
    }).join('') : '<div class="none">No section mentions all of these words.</div>';
    results.hidden = false;
  };
  box.addEventListener('input', show);
  box.addEventListener('keydown', ev => { if (ev.key === 'Escape') { box.value = ''; show(); } });
  document.addEventListener('click', ev => { if (!ev.target.closest('.search')) results.hidden = true; });
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
            title=html.escape(titles[name]), site_title=html.escape(cfg['title']), git_url=html.escape(cfg['git_url']),
            plain_description=html.escape(desc), description=f'<div class="description">{md(desc)}</div>' if desc else '',
            nav=nav_html(entries, titles, page), body=body, pager=pager_html(entries, titles, page), toc=toc_html(renderer.toc))
        html_page = localise_links(html_page, url, {p.name for p in notebooks})
        copy_local_images(html_page, nbs, out)
        (out/page).write_text(html_page)
        index += search_entries(page, titles[name], body)
    (out/'search.js').write_text(f"const SEARCH_INDEX = {json.dumps(index, ensure_ascii=False)};\n{SEARCH_JS}")
    (out/'site.css').write_text(SITE_CSS + HtmlFormatter(style='default').get_style_defs('.highlight'))
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
