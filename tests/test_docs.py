"""The offline docs site: build it from the current notebooks and check every page in headless Chromium.

Skipped where Chromium is not installed (Debian: apt-get install -y chromium).
"""
import re, subprocess, sys
from pathlib import Path
import pytest
from nntrain._modidx import d as MODIDX

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from check_docs import CHROMIUM, check_site

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"the docs check needs Chromium at {CHROMIUM}: apt-get install -y chromium (Debian package 'chromium')")

def run_tool(*args, timeout=300):
    "Run a script from tools/ and return its completed process."
    return subprocess.run([sys.executable, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=timeout)

def test_site_builds_and_passes_check(tmp_path):
    site = tmp_path/'site'
    build = run_tool(ROOT/'tools'/'build_docs.py', '--out', site)
    assert build.returncode == 0, f"build_docs.py failed:\n{build.stdout[-3000:]}\n{build.stderr[-5000:]}"
    check = run_tool(ROOT/'tools'/'check_docs.py', site, '--screenshots', tmp_path/'shots')
    assert check.returncode == 0, f"check_docs.py found problems:\n{check.stdout[-8000:]}\n{check.stderr[-2000:]}"
    assert (tmp_path/'shots'/'index.png').stat().st_size > 0   # the check also searched index.html for 'learner' and followed the results
    missing = [f"{name} (expected at {url})" for name, url in public_symbols() if not has_anchor(site, url)]
    assert not missing, "no show_doc section for these; add a `show_doc(Class.method)` cell after the class:\n" + '\n'.join(missing)

# event handlers are documented by the events table, forward/extra_repr by nn.Module
NOT_DOCUMENTED = re.compile(r'^(_|before_|after_|cleanup_)|^(forward|extra_repr)$')

def has_anchor(site: Path, url: str) -> bool:
    "Whether page#anchor exists in the built site."
    page, anchor = url.split('#')
    return f'id="{anchor}"' in (site/page).read_text()

def public_symbols():
    "(name, page#anchor) of every exported function, class and public method in nbdev's index."
    for mod, syms in MODIDX['syms'].items():
        for name, (url, _) in syms.items():
            parts = name[len(mod) + 1:].split('.')
            if parts[0].startswith('_') or (len(parts) > 1 and NOT_DOCUMENTED.search(parts[-1])): continue
            yield name, url.split('/')[-1]

def page(body: str, title='A page') -> str:
    "A minimal page in the layout build_docs.py writes."
    return f'<html><head><title>{title}</title></head><body><main><h1 class="title">{title}</h1><div class="page-content">{body}</div></main></body></html>'

def test_check_reports_each_kind_of_problem(tmp_path):
    site = tmp_path/'site'
    site.mkdir()
    (site/'index.html').write_text(page('<h2 id="intro">Intro</h2><p><a href="good.html#part">fine</a> <a href="#intro">fine</a> '
                                        '<a href="gone.html">gone</a> <a href="good.html#nowhere">bad anchor</a> '
                                        '<a href="https://example.com/">external</a></p>'))
    (site/'good.html').write_text(page('<h2 id="part">Part</h2><div class="cell"><div class="cell-output cell-output-stderr"><pre>'
                                       'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: boom</pre></div></div>'))
    (site/'empty.html').write_text(page(''))
    (site/'reader.html').write_text(page(
        '<p>softmax is $p_i = e^{z_i} / \\sum_j e^{z_j}$ as raw text</p><p><span class="math"><math><mi>x</mi></math></span> renders, '
        'and <code>$HOME</code> is code</p><div style="width: 300px"><pre style="overflow-x: hidden">' + 'x = 1; ' * 80 + '</pre>'
        '<pre style="overflow-x: auto">' + 'y = 2; ' * 80 + '</pre></div><div class="cell"><div class="cell-output cell-output-stderr">'
        '<pre>W1126 07:14:35.583000 8975 torch/utils/cpp_extension.py:183] No CUDA runtime is found</pre></div></div>'))
    problems = check_site(site, pages={'index.html': 'home', 'good.html': 'a notebook', 'missing.html': 'notebook nbs/09_missing.ipynb'},
                          search_query=None, features=False)
    text = '\n'.join(problems)
    assert 'missing.html: missing page (expected for notebook nbs/09_missing.ipynb)' in text
    assert "index.html: broken link 'gone.html'" in text
    assert "index.html: broken link 'good.html#nowhere'" in text and 'has no anchor #nowhere' in text
    assert 'good.html: Python traceback in an output cell: ValueError: boom' in text
    assert 'empty.html: empty page' in text
    assert "reader.html: raw TeX on the page (maths must render as MathML): 'softmax is $p_i" in text
    assert "reader.html: cut off, wider than its box and not scrollable: 'pre: x = 1;" in text
    assert "reader.html: a warning or log line in an output (silence it in the notebook): 'W1126 07:14:35" in text
    # the good links, the same-page anchor, the external link, MathML, code and the scrolling block pass
    assert len(problems) == 8, text

def test_check_reports_what_makes_pages_hard_to_read(tmp_path):
    site = tmp_path/'site'
    site.mkdir()
    entry = ('<h3 id="learner" class="anchored doc-entry">Learner<a class="anchor-link" href="#learner">#</a></h3>'
             '<div class="sourceCode"><pre class="sourceCode">def Learner(model, # [a link](x.html)\n  dls)</pre></div>')
    (site/'loop.html').write_text(page(
        f'<div class="cell"><div class="cell-output-display">{entry}</div></div>'
        '<p>As notebook 01 showed, and <a href="dataloaders.html">notebook 01</a> too.</p>'
        '<div class="cell"><div class="sourceCode"><pre class="sourceCode">learn.save()</pre></div>'
        '<div class="cell-output cell-output-stdout"><pre class="wrap">wrote /tmp/tmpab12cd34/run/best.pt</pre></div></div>',
        title='The Learner'))
    reported = []
    problems = check_site(site, pages={'loop.html': 'notebook nbs/02_loop.ipynb'}, search_query=None, report=reported.append)
    text = '\n'.join(problems)
    assert "loop.html: a machine's path in an output (print paths relative to a folder, or with ~): '/tmp/tmpab12cd34/run/best.pt'" in text
    assert "loop.html: the class Learner is shown as 'def Learner('" in text
    assert 'loop.html: raw markdown in the signature of Learner' in text
    assert "loop.html: 'notebook 01 showed, and ' is not a link to that notebook" in text
    assert "loop.html: the title 'The Learner' does not start with its notebook's number ('02 · ')" in text
    assert 'loop.html: 1 of 1 code blocks have no copy button' in text
    assert 'loop.html: at 400 px no menu button reaches the sidebar' in text
    assert 'loop.html: at 400 px the page scrolls sideways' in text   # no viewport meta: a phone lays it out 980 px wide
    assert 'site: no page has a table of contents of 3 or more sections' in text
    assert reported[0].startswith('at 1280 px: code blocks scrolling sideways 0 of 1 (0%), outputs 0 of 1 (0%)'), reported
    assert len(problems) == 10, text   # and a broken link: the page of notebook 01 is not in this site

def test_search_index_keeps_code_apart_from_prose():
    from build_docs import search_entries
    body = ('<h2 id="fitting">Fitting <a class="anchor-link" href="#fitting">#</a></h2><p>Call <code>fit</code> to train.</p>'
            '<pre><span class="n">learn</span><span class="o">.</span><span class="n">fit</span><span class="p">(</span>'
            '<span class="mi">3</span><span class="p">)</span></pre>')
    (entry,) = search_entries('learner.html', 'The Learner', body)
    assert (entry['anchor'], entry['heading']) == ('fitting', 'Fitting')
    assert entry['text'] == 'Fitting Call fit to train.'   # the prose, for the snippet
    assert entry['code'] == 'learn.fit(3)'                 # the code as written, not 'learn . fit ( 3 )'

def test_readme_is_made_from_the_index():
    "README.md is generated: an edit to nbs/index.ipynb without `python tools/make_readme.py` leaves it stale."
    from make_readme import readme_text
    assert (ROOT/'README.md').read_text() == readme_text(), "README.md is out of date: run python tools/make_readme.py"
