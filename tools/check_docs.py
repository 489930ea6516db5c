"""Open every page of the offline docs site in headless Chromium and fail on what a reader would trip over.

Problems: a missing page (a notebook or sidebar entry without its page), a broken internal link (to a page or an
#anchor that does not exist), an empty page, a Python traceback in an output cell, an image that does not load,
raw TeX where maths should render, content cut off without a scroll bar, a warning or log line in an output.

    python tools/check_docs.py                          # checks _site/
    python tools/check_docs.py _site --screenshots shots --full-page

Chromium (Debian package `chromium`) is driven over the DevTools protocol on a pipe, so no Python package is needed.
"""
import argparse, base64, json, os, select, shutil, subprocess, sys, tempfile, time
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).parent))
from build_docs import ROOT, course_notebooks, page_name, read_sidebar, settings

CHROMIUM = '/usr/bin/chromium'
# the flags that keep a headless Chromium quiet on a machine without a network (and runnable as root)
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--hide-scrollbars', '--mute-audio']
WIDTH, HEIGHT, PART_HEIGHT = 1280, 900, 8000  # a whole page is saved in parts: Chromium cannot capture ~16k pixels at once

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

    def resize(self, height: int):
        self.send('Emulation.setDeviceMetricsOverride', session=True, width=WIDTH, height=height, deviceScaleFactor=1, mobile=False)

    def screenshot(self, path: Path, full_page: bool = False) -> list[Path]:
        "Save PNGs of the loaded page: the first screen, or the whole page in parts of at most PART_HEIGHT pixels."
        height = self.evaluate('document.documentElement.scrollHeight') if full_page else HEIGHT
        paths = []
        for i, top in enumerate(range(0, height, PART_HEIGHT)):
            clip = dict(x=0, y=top, width=WIDTH, height=min(PART_HEIGHT, height - top), scale=1)
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

def check_site(site: Path, screenshots: Path | None = None, full_page: bool = False, pages: dict | None = None,
               search_query: str | None = 'learner') -> list[str]: # typed into index.html's search box, which must find pages
    "Load every page of `site` in Chromium; return the problems found, each naming its page."
    pages = expected_pages() if pages is None else pages
    repo = settings()['git_url']
    problems = [f"{name}: missing page (expected for {why})" for name, why in pages.items() if not (site/name).exists()]
    found = sorted(p.relative_to(site).as_posix() for p in site.rglob('*.html'))
    if screenshots: screenshots.mkdir(parents=True, exist_ok=True)
    facts = {}
    with Chromium() as browser:
        for name in found:
            facts[name] = browser.open((site/name).as_uri())
            if name == 'index.html' and search_query and 'error' not in facts[name]:
                facts[name]['search'] = browser.evaluate(f"{SEARCH_JS}({json.dumps(search_query)})")
            if screenshots and 'error' not in facts[name]:
                browser.screenshot(screenshots/(Path(name).stem + '.png'), full_page)
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

def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('site', nargs='?', type=Path, default=ROOT/'_site', help='the built site (default: _site)')
    parser.add_argument('--screenshots', type=Path, help='also save a PNG of each page into this folder')
    parser.add_argument('--full-page', action='store_true', help='screenshots of whole pages, not only the first screen')
    args = parser.parse_args()
    if not Path(CHROMIUM).exists(): sys.exit(f"error: {CHROMIUM} not found; install it with: apt-get install -y chromium")
    site = args.site.resolve()
    if not site.is_dir(): sys.exit(f"error: no site at {site}; build it first with: python tools/build_docs.py")
    problems = check_site(site, args.screenshots, args.full_page)
    for p in problems: print(f"FAIL {p}")
    n = len(list(site.rglob('*.html')))
    if problems: sys.exit(f"docs check failed: {len(problems)} problem(s) in {n} page(s) of {site}")
    print(f"docs check passed: {n} pages in {site}" + (f"; screenshots in {args.screenshots}" if args.screenshots else ''))

if __name__ == '__main__': main()
