"""Open every page of the offline docs site in headless Chromium and fail on what a reader would trip over.

Problems: a missing page (a notebook or sidebar entry without its page), a broken internal link (to a page or an
#anchor that does not exist), an empty page, a Python traceback in an output cell, an image that does not load,
raw TeX where maths should render, content cut off without a scroll bar, a warning or log line in an output.

And what makes the site pleasant to read (`features=True`), each page read at 1280 px and at a phone's 400 px: more
than 5% of code blocks or of outputs scrolling sideways at 1280 px, a page scrolling sideways at 400 px, the sidebar
filling a phone's first screen, a wide figure strip shrunk below readability, a machine's path in an output, a class
shown as `def`, raw markdown in a signature, a "notebook NN" that is not a link, a page title without its notebook's
number, a code block without a copy button; and once for the site: the favicon, links to the repository and its
issues, a dark scheme that follows the system, the table of contents following the scroll, the search's `/` shortcut
and a definition first for "learner".

    python tools/check_docs.py                          # checks _site/
    python tools/check_docs.py _site --screenshots shots --full-page

Chromium (Debian package `chromium`) is driven over the DevTools protocol on a pipe, so no Python package is needed.
"""
import argparse, base64, json, os, re, select, shutil, subprocess, sys, tempfile, time
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).parent))
from build_docs import ROOT, course_notebooks, page_name, read_sidebar, settings

CHROMIUM = '/usr/bin/chromium'
# the flags that keep a headless Chromium quiet on a machine without a network (and runnable as root)
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--hide-scrollbars', '--mute-audio']
WIDTH, HEIGHT, PART_HEIGHT = 1280, 900, 8000  # a whole page is saved in parts: Chromium cannot capture ~16k pixels at once
PHONE_WIDTH, PHONE_HEIGHT = 400, 800
MAX_SCROLLING = 0.05   # at most this share of code blocks, and of outputs, may scroll sideways at 1280 px

# What the check needs from a loaded page, read by the page's own DOM after Chromium has laid it out.
PAGE_FACTS_JS = """(() => {
  const content = document.querySelector('main .page-content');
  const outputs = [...document.querySelectorAll('.cell-output, .cell-output-display')];
  return {
    title: document.title,
    ids: [...document.querySelectorAll('[id]')].map(e => e.id).concat([...document.querySelectorAll('a[name]')].map(a => a.name)),
    links: [...document.querySelectorAll('a[href]')].map(a => ({href: a.href, raw: a.getAttribute('href'), text: a.textContent.trim().slice(0, 40)})),
    content_text: content ? content.innerText.trim().length : 0,
    content_media: content ? content.querySelectorAll('img, svg, table, canvas').length : 0,
    tracebacks: outputs.filter(e => e.classList.contains('cell-output-error') || /Traceback \\(most recent call last\\)/.test(e.innerText))
                       .map(e => e.innerText.trim().split('\\n').filter(l => l.trim()).slice(-1)[0] || 'error output'),
    // show_doc puts a 'source' link before each symbol it documents; the build keeps the hidden cell source in data-source
    sources: [...document.querySelectorAll('.cell a')].filter(a => a.textContent.trim() === 'source')
                 .map(a => ({href: a.href, cell: a.closest('.cell').dataset.source || '?'})),
    broken_images: [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => (i.getAttribute('src') || '').slice(0, 60)),
    // TeX that reached the page as text: maths must arrive as MathML (code, outputs and MathML itself are not prose)
    raw_tex: [...(() => { const w = document.createTreeWalker(content || document.body, NodeFilter.SHOW_TEXT), hits = [];
                           while (w.nextNode()) hits.push(w.currentNode); return hits; })()]
               .filter(t => !t.parentElement.closest('pre, code, math, script, style, .cell-output, .cell-output-display'))
               .map(t => t.textContent).filter(t => __RAW_TEX__.test(t))
               .map(t => t.trim().slice(0, 60)),
    // content wider than its box that cannot be scrolled to is cut off for the reader
    cut_off: [...document.querySelectorAll('main pre, main table, main .math.display, main .cell-output-display')]
               .filter(e => e.scrollWidth > e.clientWidth + 1 && !['auto', 'scroll'].includes(getComputedStyle(e).overflowX)
                            && !e.parentElement.closest('pre, .cell-output-display'))
               .map(e => e.tagName.toLowerCase() + ': ' + e.innerText.trim().slice(0, 50)),
    // logging and warnings that ran into an output: noise for the reader (silence them in the notebook)
    warnings: outputs.map(e => e.innerText).filter(t => /^(W|E)\\d{4} \\d\\d:\\d\\d|\\b[A-Z][a-zA-Z]*Warning: /m.test(t))
                     .map(t => t.split('\\n').find(l => /^(W|E)\\d{4} |Warning: /.test(l)).trim().slice(0, 100)),
    height: document.documentElement.scrollHeight,
  };
})()"""

# How the loaded page lays out at the current width: what scrolls sideways, what a phone's first screen shows
LAYOUT_FACTS_JS = """(() => {
  const content = document.querySelector('main .page-content') || document.body, vw = window.innerWidth;
  const scrolls = e => e.scrollWidth > e.clientWidth + 1;
  const first = e => (e.innerText.split('\\n').find(l => l.trim()) || '').trim().slice(0, 60);
  const code = [...content.querySelectorAll('.sourceCode pre')].filter(e => !e.closest('.cell-output, .cell-output-display'));
  const outputs = [...content.querySelectorAll('.cell-output pre, .cell-output-display')]
                    .filter(e => !e.parentElement.closest('pre, .cell-output-display') && !e.querySelector('.sourceCode'));
  const side = document.querySelector('.sidebar'), box = side && side.getBoundingClientRect(), style = side && getComputedStyle(side);
  return {
    page_width: document.documentElement.scrollWidth,
    code: code.length, code_scrolling: code.filter(scrolls).map(first),
    outputs: outputs.length, outputs_scrolling: outputs.filter(scrolls).map(first),
    sidebar_in_first_screen: !!side && style.display !== 'none' && style.visibility !== 'hidden' && box.width > 0 && box.height > 0
                             && box.top < window.innerHeight && box.bottom > 0 && box.left < vw && box.right > 0,
    menu_button: !!document.querySelector('.sidebar-toggle, .quarto-btn-toggle'),
    // a strip of images (3 times wider than tall) drawn below 65% of its size: a 10-point label falls under 9 px
    shrunk_strips: [...content.querySelectorAll('img')].filter(i => i.naturalWidth > 3 * i.naturalHeight && i.clientWidth > 0
                                                          && i.clientWidth < 0.65 * i.naturalWidth)
                     .map(i => `${i.naturalWidth}x${i.naturalHeight} px drawn ${i.clientWidth} px wide` +
                               ` (${(i.closest('.cell') && i.closest('.cell').previousElementSibling || {}).id || 'figure'})`),
  };
})()"""

# What a reader meets in the text of a page: paths, signatures, mentions of notebooks, buttons
READER_FACTS_JS = """(() => {
  const content = document.querySelector('main .page-content') || document.body;
  const outputs = [...content.querySelectorAll('.cell-output, .cell-output-display')];
  const texts = [...(() => { const w = document.createTreeWalker(content, NodeFilter.SHOW_TEXT), hits = [];
                             while (w.nextNode()) hits.push(w.currentNode); return hits; })()];
  const signatures = [...content.querySelectorAll('.doc-entry')].map(h => {
    let e = h.nextElementSibling; while (e && !e.matches('.sourceCode, pre')) e = e.nextElementSibling;
    return {name: h.textContent.replace(/#$/, '').trim(), code: e ? e.innerText : ''};
  });
  const sources = [...content.querySelectorAll('.sourceCode pre')].filter(e => !e.closest('.cell-output, .cell-output-display'));
  return {
    title: (document.querySelector('h1.title') || {}).textContent || '',
    machine_paths: outputs.map(e => e.innerText.match(__MACHINE_PATH__)).filter(Boolean).map(m => m[0].trim().slice(0, 60)),
    classes_as_def: signatures.filter(s => /^def [A-Z]\\w*\\(/.test(s.code.trim()) && /^[A-Z]\\w*$/.test(s.name)).map(s => s.name),
    markdown_in_signatures: signatures.filter(s => /\\]\\(|\\{target=/.test(s.code)).map(s => s.name),
    unlinked_notebooks: texts.filter(t => !t.parentElement.closest('a, pre, code, script, style, .cell-output, .cell-output-display, h1'))
                             .map(t => t.textContent.match(/\\b[Nn]otebooks?\\s+\\d\\d[a-z]?\\b[^.;:]{0,30}/)).filter(Boolean).map(m => m[0]),
    // results: tables rendered as tables, and text tables (an output <pre> whose lines keep aligned columns)
    rendered_tables: outputs.filter(e => e.querySelector('table') && !e.querySelector('.doc-entry')).length,
    text_tables: outputs.filter(e => { const pre = e.querySelector('pre'); if (!pre || pre.classList.contains('wrap')) return false;
                                       return pre.innerText.split('\\n').filter(l => /\\S {2,}\\S|^\\s*\\|/.test(l)).length >= 3; }).length,
    code_without_copy: sources.filter(e => !e.parentElement.querySelector('.code-copy-button, .code-copy-button-wrapper')).length,
    code_blocks: sources.length,
  };
})()"""
# a path of the machine that ran the notebook: a home, a temporary or work folder
MACHINE_PATH_JS = r"/(^|[\s'\"(=:])(\/root\/|\/home\/[\w.-]+\/|\/tmp\/|\/work\/|\/private\/var\/|\/Users\/[\w.-]+\/|[A-Z]:\\Users\\)[^\s'\")]*/"
READER_FACTS_JS = READER_FACTS_JS.replace('__MACHINE_PATH__', MACHINE_PATH_JS)

# The site's reading aids, tried on a page that has a table of contents: its own answer for each
FEATURES_JS = """(async () => {
  const wait = ms => new Promise(r => setTimeout(r, ms));
  const out = {};
  const icon = document.querySelector('link[rel~=icon]');
  out.favicon = icon ? icon.href : null;
  out.issues_link = [...document.querySelectorAll('a[href]')].some(a => /\\/issues\\/?$/.test(a.href));
  out.repo_link = [...document.querySelectorAll('a[href]')].some(a => a.href.startsWith(__REPO__));
  const toc = [...document.querySelectorAll('.toc a, #TOC a')];
  if (toc.length >= 3) {
    const target = document.getElementById(decodeURIComponent(toc[2].hash.slice(1)));
    target.scrollIntoView(); window.dispatchEvent(new Event('scroll')); document.dispatchEvent(new Event('scroll'));
    await wait(300);
    const active = document.querySelector('.toc a.active, #TOC a.active');
    out.toc_follows = !!active && active.hash === toc[2].hash;
    window.scrollTo(0, 0); await wait(100);
  } else out.toc_follows = null;
  const box = document.getElementById('search') || document.querySelector('.aa-Input');
  document.activeElement.blur && document.activeElement.blur();
  document.dispatchEvent(new KeyboardEvent('keydown', {key: '/', bubbles: true}));
  out.search_shortcut = !!box && document.activeElement === box;
  if (box) { box.value = ''; box.dispatchEvent(new Event('input')); box.blur(); }
  return out;
})()"""

# TeX as a reader would see it unrendered: $$, \( or \[, a $...\command$ span, or a bare \frac-like command
RAW_TEX_JS = r"/\$\$|\\\(|\\\[|\$[^$\n]*\\[a-zA-Z]|\\(frac|sqrt|sum|mathrm|mathbb|text|left|cdot|approx)\b/"
PAGE_FACTS_JS = PAGE_FACTS_JS.replace('__RAW_TEX__', RAW_TEX_JS)

class Chromium:
    "A headless Chromium driven over the DevTools protocol on --remote-debugging-pipe (fd 3 in, fd 4 out)."
    def __init__(self, exe: str = CHROMIUM, timeout: float = 30):
        self.timeout, self.next_id, self.events = timeout, 0, []
        self.profile = tempfile.mkdtemp(prefix='chromium-profile-')  # a new empty profile each run
        cmd_r, self.cmd_w = os.pipe()
        self.res_r, res_w = os.pipe()
        def wire_pipes(): os.dup2(cmd_r, 3); os.dup2(res_w, 4)
        self.proc = subprocess.Popen([exe, *FLAGS, f'--user-data-dir={self.profile}', '--remote-debugging-pipe', 'about:blank'],
                                     preexec_fn=wire_pipes, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(cmd_r); os.close(res_w)
        self.buffer = b''
        target = self.send('Target.createTarget', url='about:blank')['targetId']
        self.session = self.send('Target.attachToTarget', targetId=target, flatten=True)['sessionId']
        self.send('Page.enable', session=True)
        self.resize(HEIGHT)

    def _read_message(self, deadline: float) -> dict:
        "The next message from Chromium (messages end with a NUL byte)."
        while b'\0' not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.res_r], [], [], left)[0]: raise TimeoutError('Chromium did not answer in time')
            chunk = os.read(self.res_r, 1 << 20)
            if not chunk: raise RuntimeError(f'Chromium exited (code {self.proc.poll()})')
            self.buffer += chunk
        msg, self.buffer = self.buffer.split(b'\0', 1)
        return json.loads(msg)

    def send(self, method: str, session: bool = False, **params) -> dict:
        "Send one command and wait for its result, keeping the events that arrive meanwhile."
        self.next_id += 1
        msg = {'id': self.next_id, 'method': method, 'params': params} | ({'sessionId': self.session} if session else {})
        os.write(self.cmd_w, json.dumps(msg).encode() + b'\0')
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get('id') == self.next_id:
                if 'error' in reply: raise RuntimeError(f"{method}: {reply['error'].get('message')}")
                return reply.get('result', {})
            if 'method' in reply: self.events.append(reply)

    def wait_for(self, event: str):
        "Wait until Chromium reports `event` for our page."
        deadline = time.monotonic() + self.timeout
        while not any(e['method'] == event for e in self.events): self.events.append(self._read_message(deadline))

    def open(self, url: str) -> dict:
        "Load `url` and return the page's facts (see PAGE_FACTS_JS), or {'error': ...} if it cannot load."
        self.events.clear()
        nav = self.send('Page.navigate', session=True, url=url)
        if nav.get('errorText'): return {'error': nav['errorText']}
        self.wait_for('Page.loadEventFired')
        return self.evaluate(PAGE_FACTS_JS)

    def evaluate(self, expression: str):
        "The value of a JavaScript expression in the page."
        res = self.send('Runtime.evaluate', session=True, expression=expression, returnByValue=True, awaitPromise=True)
        if 'exceptionDetails' in res: raise RuntimeError(f"JavaScript error: {res['exceptionDetails'].get('text')}")
        return res['result'].get('value')

    def resize(self, height: int, width: int = WIDTH):
        self.width = width
        self.send('Emulation.setDeviceMetricsOverride', session=True, width=width, height=height, deviceScaleFactor=1, mobile=width < 600)

    def color_scheme(self, scheme: str):
        "Emulate the system's colour scheme, 'light' or 'dark'."
        self.send('Emulation.setEmulatedMedia', session=True, features=[{'name': 'prefers-color-scheme', 'value': scheme}])

    def background_luminance(self) -> float:
        "The relative luminance (0 black, 1 white) of the page's background."
        rgb = self.evaluate("getComputedStyle(document.body).backgroundColor")
        r, g, b, *alpha = [float(v) for v in rgb[rgb.index('(') + 1:-1].split(',')]
        if alpha and alpha[0] == 0: r = g = b = 255   # transparent: the canvas, white
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255

    def screenshot(self, path: Path, full_page: bool = False) -> list[Path]:
        "Save PNGs of the loaded page: the first screen, or the whole page in parts of at most PART_HEIGHT pixels."
        height = self.evaluate('document.documentElement.scrollHeight') if full_page else HEIGHT
        paths = []
        for i, top in enumerate(range(0, height, PART_HEIGHT)):
            clip = dict(x=0, y=top, width=self.width, height=min(PART_HEIGHT, height - top), scale=1)
            png = self.send('Page.captureScreenshot', session=True, format='png', clip=clip, captureBeyondViewport=full_page)['data']
            paths.append(path if i == 0 else path.with_name(f'{path.stem}-{i + 1}{path.suffix}'))
            paths[-1].write_bytes(base64.b64decode(png))
        return paths

    def close(self):
        try: self.send('Browser.close')
        except (RuntimeError, TimeoutError, OSError): pass
        try: self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired: self.proc.kill(); self.proc.wait()
        os.close(self.cmd_w); os.close(self.res_r)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self): return self
    def __exit__(self, *exc): self.close()

def expected_pages() -> dict:
    "Every page the site must have, mapped to why: one per notebook in nbs/ and one per sidebar entry."
    nbs = ROOT/settings()['nbs_path']
    notebooks = course_notebooks(nbs)
    pages = {page_name(p.name): f'notebook nbs/{p.name}' for p in notebooks}
    for _, entry in read_sidebar(nbs, notebooks): pages.setdefault(page_name(entry), f'nbs/sidebar.yml entry {entry}')
    return pages

def link_problem(link: dict, site: Path, ids: dict) -> str | None:
    "What is wrong with one link on the site, or None; external links are not followed (no network here)."
    url = urlsplit(link['href'])
    if url.scheme != 'file': return None
    target = Path(unquote(url.path))
    try: rel = target.relative_to(site).as_posix()
    except ValueError: return f"link to {link['raw']!r} points outside the site"
    if not target.exists(): return f"link {link['raw']!r} ({link['text']!r}): no page {rel}"
    frag = unquote(url.fragment)
    if frag and rel in ids and frag not in ids[rel]: return f"link {link['raw']!r} ({link['text']!r}): {rel} has no anchor #{frag}"
    return None

# Type a query into the search box of the loaded page; the links it offers (null without a working search box)
SEARCH_JS = """(query => { const box = document.getElementById('search');
  if (!box || typeof SEARCH_INDEX === 'undefined') return null;
  box.value = query; box.dispatchEvent(new Event('input'));
  return [...document.querySelectorAll('#search-results a')].map(a => ({href: a.href, raw: a.getAttribute('href'), text: a.innerText.trim().slice(0, 40)}));
})"""

def notebook_numbers(pages: dict) -> dict:
    "The number of each page's notebook ('07' for nbs/07_augmentation.ipynb), for pages whose notebook has one."
    numbers = {}
    for name, why in pages.items():
        m = re.match(r'notebook nbs/(\d\d[a-z]?)_', why)
        if m: numbers[name] = m[1]
    return numbers

def check_site(site: Path, screenshots: Path | None = None, full_page: bool = False, pages: dict | None = None,
               search_query: str | None = 'learner', # typed into index.html's search box, which must find pages
               features: bool = True,               # also check the reading aids and the layout at 1280 and 400 px
               report=None) -> list[str]:            # called with one line of figures per width, when given
    "Load every page of `site` in Chromium; return the problems found, each naming its page."
    pages = expected_pages() if pages is None else pages
    repo = settings()['git_url']
    problems = [f"{name}: missing page (expected for {why})" for name, why in pages.items() if not (site/name).exists()]
    found = sorted(p.relative_to(site).as_posix() for p in site.rglob('*.html'))
    if screenshots: screenshots.mkdir(parents=True, exist_ok=True)
    facts, layout, phone, reader, site_features = {}, {}, {}, {}, {}
    with Chromium() as browser:
        for name in found:
            facts[name] = browser.open((site/name).as_uri())
            if name == 'index.html' and search_query and 'error' not in facts[name]:
                facts[name]['search'] = browser.evaluate(f"{SEARCH_JS}({json.dumps(search_query)})")
            if screenshots and 'error' not in facts[name]:
                browser.screenshot(screenshots/(Path(name).stem + '.png'), full_page)
            if not features or 'error' in facts[name]: continue
            layout[name], reader[name] = browser.evaluate(LAYOUT_FACTS_JS), browser.evaluate(READER_FACTS_JS)
            if not site_features and len(re.findall(r'class="toc-h', (site/name).read_text())) >= 3:
                site_features = browser.evaluate(FEATURES_JS.replace('__REPO__', json.dumps(repo)))
                browser.color_scheme('dark'); site_features['dark_luminance'] = browser.background_luminance()
                browser.color_scheme('light'); site_features['light_luminance'] = browser.background_luminance()
                site_features['page'] = name
            browser.resize(PHONE_HEIGHT, PHONE_WIDTH)
            phone[name] = browser.evaluate(LAYOUT_FACTS_JS)
            browser.resize(HEIGHT)
    if features: problems += reading_problems(site, pages, facts, layout, phone, reader, site_features, report)
    ids = {name: set(f.get('ids', ())) for name, f in facts.items()}
    for name, f in facts.items():
        if 'error' in f: problems.append(f"{name}: Chromium could not load it ({f['error']})"); continue
        if f['content_text'] == 0 and f['content_media'] == 0: problems.append(f"{name}: empty page (nothing below the title)")
        problems += [f"{name}: Python traceback in an output cell: {line}" for line in f['tracebacks']]
        problems += [f"{name}: image does not load: {src}..." for src in f['broken_images']]
        if 'search' in f:
            if f['search'] is None: problems.append(f"{name}: no working search box (input#search with search.js)")
            elif not f['search']: problems.append(f"{name}: searching for {search_query!r} finds nothing")
            problems += [f"{name}: search result {p}" for p in (link_problem(l, site, ids) for l in f['search'] or []) if p]
        problems += [f"{name}: raw TeX on the page (maths must render as MathML): {t!r}" for t in f['raw_tex']]
        problems += [f"{name}: cut off, wider than its box and not scrollable: {t!r}" for t in f['cut_off']]
        problems += [f"{name}: a warning or log line in an output (silence it in the notebook): {t!r}" for t in f['warnings']]
        foreign = [s['cell'] for s in f['sources'] if s['href'].startswith('http') and not s['href'].startswith(repo)]
        if foreign: problems.append(f"{name}: {', '.join(foreign)} show the docs of a symbol from outside this project (nbdev's own "
                                    f"show_doc) because those names are not nntrain functions: a method added with @fc.patch is None "
                                    f"at module level (nbdev recognises only a plain @patch); use @patch, or show_doc(Class.method)")
        seen = set()
        for link in f['links']:
            problem = link_problem(link, site, ids)
            if problem and problem not in seen: seen.add(problem); problems.append(f"{name}: broken {problem}")
    return problems

def share(scrolling: int, total: int) -> str: return f"{scrolling} of {total} ({scrolling / max(total, 1):.0%})"

def reading_problems(site: Path, pages: dict, facts: dict, layout: dict, phone: dict, reader: dict, features: dict, report=None) -> list[str]:
    "What makes the site hard to read, from the facts each page gave at 1280 and at 400 px."
    problems, numbers = [], notebook_numbers(pages)
    for width, facts_at in ((WIDTH, layout), (PHONE_WIDTH, phone)):
        code = sum(f['code'] for f in facts_at.values()); code_scrolling = sum(len(f['code_scrolling']) for f in facts_at.values())
        outs = sum(f['outputs'] for f in facts_at.values()); outs_scrolling = sum(len(f['outputs_scrolling']) for f in facts_at.values())
        if report: report(f"at {width} px: code blocks scrolling sideways {share(code_scrolling, code)}, outputs {share(outs_scrolling, outs)}; "
                          f"pages wider than the window {sum(f['page_width'] > width + 1 for f in facts_at.values())} of {len(facts_at)}")
        if width != WIDTH: continue
        for kind, n, total, key in (('code blocks', code_scrolling, code, 'code_scrolling'), ('outputs', outs_scrolling, outs, 'outputs_scrolling')):
            if n > MAX_SCROLLING * total:
                worst = sorted(((len(f[key]), name, f[key][0]) for name, f in facts_at.items() if f[key]), reverse=True)[:5]
                problems.append(f"site: {share(n, total)} {kind} scroll sideways at {width} px (at most {MAX_SCROLLING:.0%}); most on " +
                                '; '.join(f"{name} ({k}, e.g. {first!r})" for k, name, first in worst))
    if report: report(f"results in outputs: {sum(f['rendered_tables'] for f in reader.values())} rendered tables, "
                      f"{sum(f['text_tables'] for f in reader.values())} text tables")
    for name, f in phone.items():
        if f['page_width'] > PHONE_WIDTH + 1: problems.append(f"{name}: at {PHONE_WIDTH} px the page scrolls sideways ({f['page_width']} px wide)")
        if f['sidebar_in_first_screen']: problems.append(f"{name}: at {PHONE_WIDTH} px the sidebar is on the first screen (hide it behind a menu button)")
        elif not f['menu_button']: problems.append(f"{name}: at {PHONE_WIDTH} px no menu button reaches the sidebar")
        problems += [f"{name}: at {PHONE_WIDTH} px a figure strip is too small to read: {t}" for t in f['shrunk_strips']]
    for name, f in reader.items():
        problems += [f"{name}: a machine's path in an output (print paths relative to a folder, or with ~): {p!r}" for p in f['machine_paths']]
        problems += [f"{name}: the class {c} is shown as 'def {c}(' (use the docs renderer that shows 'class')" for c in f['classes_as_def']]
        problems += [f"{name}: raw markdown in the signature of {c}" for c in f['markdown_in_signatures']]
        problems += [f"{name}: {t!r} is not a link to that notebook" for t in dict.fromkeys(f['unlinked_notebooks'])]
        if name in numbers and not f['title'].startswith(f"{numbers[name]} · "):
            problems.append(f"{name}: the title {f['title']!r} does not start with its notebook's number ('{numbers[name]} · ')")
        if f['code_without_copy']: problems.append(f"{name}: {f['code_without_copy']} of {f['code_blocks']} code blocks have no copy button")
    if not features: return problems + ["site: no page has a table of contents of 3 or more sections, to try the reading aids on"]
    where = features['page']
    if not features['favicon'] or not (site/Path(unquote(urlsplit(features['favicon']).path)).name).exists():
        problems.append(f"site: no favicon (a <link rel=icon> to a file of the site) on {where}")
    if not features['repo_link']: problems.append(f"site: no link to the repository on {where}")
    if not features['issues_link']: problems.append(f"site: no link to the repository's issues on {where}")
    if not features['toc_follows']: problems.append(f"site: the table of contents of {where} does not mark the section scrolled to")
    if not features['search_shortcut']: problems.append(f"site: pressing / on {where} does not move to the search box")
    if not features['dark_luminance'] < 0.3 < features['light_luminance']:
        problems.append(f"site: no dark scheme following the system's setting (background luminance {features['light_luminance']:.2f} "
                        f"light, {features['dark_luminance']:.2f} dark)")
    search = facts.get('index.html', {}).get('search') or []
    if search and not re.search(r'#learner$', search[0]['raw']):
        problems.append(f"site: searching for 'learner' ranks {search[0]['raw']!r} first, not the Learner class")
    return problems

def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('site', nargs='?', type=Path, default=ROOT/'_site', help='the built site (default: _site)')
    parser.add_argument('--screenshots', type=Path, help='also save a PNG of each page into this folder')
    parser.add_argument('--full-page', action='store_true', help='screenshots of whole pages, not only the first screen')
    args = parser.parse_args()
    if not Path(CHROMIUM).exists(): sys.exit(f"error: {CHROMIUM} not found; install it with: apt-get install -y chromium")
    site = args.site.resolve()
    if not site.is_dir(): sys.exit(f"error: no site at {site}; build it first with: python tools/build_docs.py")
    problems = check_site(site, args.screenshots, args.full_page, report=print)
    for p in problems: print(f"FAIL {p}")
    n = len(list(site.rglob('*.html')))
    if problems: sys.exit(f"docs check failed: {len(problems)} problem(s) in {n} page(s) of {site}")
    print(f"docs check passed: {n} pages in {site}" + (f"; screenshots in {args.screenshots}" if args.screenshots else ''))

if __name__ == '__main__': main()
