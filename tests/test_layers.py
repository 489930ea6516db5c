"""The package's shape, checked: imports follow the notebook order (import-linter's `layers` contract, made from the
notebooks' `#| default_exp` lines), and no module or function outgrows one idea."""
import ast, json, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent/'lint-imports'
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 60
# the package's index of names for nbdev, generated: not code anyone reads
GENERATED = {'_modidx.py'}

def notebook_modules() -> list[str]:
    "The module each numbered notebook exports (its `#| default_exp`), in notebook order; `all` (from the index) on top."
    mods = []
    for nb in sorted((ROOT/'nbs').glob('[0-9]*.ipynb')):
        src = '\n'.join(''.join(c['source']) for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code')
        m = re.search(r'^#\|\s*default_exp\s+(\S+)', src, re.M)
        if m: mods.append(m.group(1))
    return mods + (['all'] if (ROOT/'nntrain'/'all.py').exists() else [])

def layers_contract(modules: list[str]) -> str:
    "An import-linter configuration whose one contract puts `modules` in layers, the last on top."
    layers = ''.join(f'    nntrain.{m}\n' for m in reversed(modules))
    return ('[importlinter]\nroot_package = nntrain\ninclude_external_packages = False\n\n'
            '[importlinter:contract:notebook-order]\nname = a module imports only modules of earlier notebooks\n'
            f'type = layers\nlayers =\n{layers}')

def tooling_modules() -> list[str]:
    "Private modules that unnumbered notebooks export (how_built's `_showdoc`): about the docs, outside the course's layers."
    mods = []
    for nb in sorted((ROOT/'nbs').glob('[!0-9]*.ipynb')):
        if nb.stem == 'index': continue   # `all`, on top of the layers (notebook_modules)
        src = '\n'.join(''.join(c['source']) for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code')
        if m := re.search(r'^#\|\s*default_exp\s+(\S+)', src, re.M): mods.append(m.group(1))
    return mods

def test_every_module_has_its_notebook():
    "A module no notebook exports would escape the contract (and be edited by hand)."
    made = {p.stem for p in (ROOT/'nntrain').glob('*.py')} - {'__init__'} - {Path(g).stem for g in GENERATED}
    expected = set(notebook_modules()) | set(tooling_modules())
    assert made == expected, f"modules without a notebook: {sorted(made - expected)}"
    for mod in tooling_modules():   # tooling stays private and apart: nothing of the course imports it, it imports none of it
        assert mod.startswith('_'), f"nntrain.{mod} comes from an unnumbered notebook: name it _{mod} (tooling) or give it a number"
        tree = ast.parse((ROOT/'nntrain'/f'{mod}.py').read_text())
        assert not any(isinstance(n, ast.ImportFrom) and (n.level or (n.module or '').startswith('nntrain')) for n in ast.walk(tree)), mod

def test_imports_follow_the_notebook_order(tmp_path):
    "No module imports one of a later notebook, so there is no cycle either."
    config = tmp_path/'layers.ini'
    config.write_text(layers_contract(notebook_modules()))
    res = subprocess.run([str(LINT_IMPORTS), str(config), '--no-cache'], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, f"an import goes against the notebook order:\n{res.stdout[-4000:]}{res.stderr[-2000:]}"

def test_the_contract_catches_a_backward_import(tmp_path):
    "The check can fail: a package whose first module imports its second breaks the contract."
    pkg = tmp_path/'nntrain'; pkg.mkdir()
    (pkg/'__init__.py').write_text('')
    (pkg/'first.py').write_text('from . import second\n')
    (pkg/'second.py').write_text('X = 1\n')
    config = tmp_path/'layers.ini'
    config.write_text(layers_contract(['first', 'second']))
    res = subprocess.run([str(LINT_IMPORTS), str(config), '--no-cache'], cwd=tmp_path, capture_output=True, text=True,
                         env={'PYTHONPATH': str(tmp_path), 'PATH': '/usr/bin:/bin'})
    assert res.returncode != 0 and 'nntrain.first -> nntrain.second' in res.stdout, res.stdout + res.stderr

def oversized(path: Path) -> list[str]:
    "The module itself if longer than MAX_MODULE_LINES, and each function longer than MAX_FUNCTION_LINES."
    text = path.read_text()
    found = [f"{path.name}: {len(text.splitlines())} lines"] if len(text.splitlines()) > MAX_MODULE_LINES else []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
            found.append(f"{path.name}: {node.name} has {node.end_lineno - node.lineno + 1} lines")
    return found

def test_modules_and_functions_stay_small():
    "One idea per module, one step per function: past these sizes, split by idea or by step."
    problems = [p for f in sorted((ROOT/'nntrain').glob('*.py')) if f.name not in GENERATED for p in oversized(f)]
    assert not problems, '\n'.join(problems)
