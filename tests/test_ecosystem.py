"""nntrain beside the libraries its users already have: the newest fastcore (fastai needs fastcore 2, the nbdev 2
toolchain fastcore 1), and fastai itself. Needs the package index (PyPI); skipped, saying so, where it cannot be reached."""
import json, os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
PIP = [sys.executable, '-m', 'pip']
OFFLINE_SIGNS = ('Could not find a version', 'No matching distribution', 'Failed to establish', 'Temporary failure', 'Network is unreachable')

def pip(*args, timeout=600) -> subprocess.CompletedProcess:
    res = subprocess.run([*PIP, *args], capture_output=True, text=True, timeout=timeout)
    if res.returncode and any(s in res.stderr for s in OFFLINE_SIGNS): pytest.skip(f"the package index cannot be reached: {res.stderr.strip()[-300:]}")
    return res

@pytest.fixture(scope='module')
def newest_fastcore(tmp_path_factory) -> dict:
    "An environment whose PYTHONPATH puts the newest fastcore ahead of the installed one (nothing else: no second torch)."
    target = tmp_path_factory.mktemp('fastcore')
    res = pip('install', '-q', '--no-deps', '--target', str(target), 'fastcore')
    assert res.returncode == 0, res.stderr
    env = os.environ | {'PYTHONPATH': os.pathsep.join([str(target), os.environ.get('PYTHONPATH', '')]).rstrip(os.pathsep)}
    version = subprocess.run([sys.executable, '-c', 'import fastcore; print(fastcore.__version__)'], capture_output=True, text=True, env=env).stdout.strip()
    assert int(version.split('.')[0]) >= 2, f"expected fastcore 2 or newer ahead on the path, got {version}"
    return env

@pytest.mark.slow
def test_cli_tests_pass_with_the_newest_fastcore(newest_fastcore, data_path):
    "The command line's own tests (usage, an end-to-end run, a bad --out, a missing extra), again with fastcore 2 first on the path."
    res = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', str(ROOT/'tests'/'test_cli.py'),
                          '-k', 'usage or end_to_end or out_naming or tensorboard_missing'],
                         capture_output=True, text=True, timeout=900, env=newest_fastcore, cwd=ROOT)
    assert res.returncode == 0, res.stdout[-4000:]
    assert ' passed' in res.stdout and 'failed' not in res.stdout.splitlines()[-1]

def test_short_fit_with_the_newest_fastcore(newest_fastcore, tmp_path, data_path):
    code = f"""
import fastcore, torch, torch.nn.functional as F
from torch import nn
from nntrain.dataloaders import DataLoaders, TensorLoader
from nntrain.learner import Learner, MetricsS, CheckpointS, SchedulerS
from nntrain.control import EarlyStoppingS
from functools import partial
x, y = torch.randn(256, 10), torch.randint(0, 3, (256,))
learn = Learner(nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 3)), DataLoaders(TensorLoader(x, y, 32, shuffle=True), TensorLoader(x, y, 64)),
                F.cross_entropy, torch.optim.AdamW, 1e-2, [MetricsS(show=False), CheckpointS({str(tmp_path)!r}), EarlyStoppingS(patience=2)])
learn.lr_find(max_iters=20, plot=False)
learn.fit(3, subs=[SchedulerS(partial(torch.optim.lr_scheduler.OneCycleLR, max_lr=1e-2))])
print('fastcore', fastcore.__version__, 'valid loss', learn.history[-1]['loss'])
"""
    res = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300, env=newest_fastcore)
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.startswith('fastcore 2') and (tmp_path/'last.pt').is_file()

@pytest.mark.slow
def test_wheel_installs_beside_fastai(tmp_path):
    "pip can resolve the built wheel and fastai together (a dry run: nothing is installed)."
    res = pip('wheel', '-q', '--no-deps', '--no-build-isolation', '-w', str(tmp_path), str(ROOT))
    assert res.returncode == 0, res.stderr[-3000:]
    wheel = next(tmp_path.glob('nntrain-*.whl'))
    report = tmp_path/'report.json'
    res = pip('install', '--dry-run', '--ignore-installed', '--report', str(report), str(wheel), 'fastai')
    assert res.returncode == 0, res.stderr[-3000:]
    chosen = {i['metadata']['name'].lower(): i['metadata']['version'] for i in json.loads(report.read_text())['install']}
    assert 'nntrain' in chosen and 'fastai' in chosen, chosen
    assert int(chosen['fastcore'].split('.')[0]) >= 2, chosen

@pytest.mark.slow
def test_release_build_passes_its_checks(tmp_path):
    "What the release workflow publishes: an sdist and a wheel that twine accepts, with every module, a CHANGELOG entry, and no web stack for a progress bar."
    res = subprocess.run([sys.executable, '-m', 'build', '--sdist', '--wheel', '--no-isolation', '-o', str(tmp_path), str(ROOT)],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    built = [*tmp_path.glob('nntrain-*.tar.gz'), *tmp_path.glob('nntrain-*.whl')]
    assert len(built) == 2, sorted(tmp_path.iterdir())
    res = subprocess.run([str(Path(sys.executable).parent/'twine'), 'check', '--strict', *map(str, built)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    import zipfile, configparser
    in_wheel = {Path(n).name for n in zipfile.ZipFile(built[1]).namelist() if n.startswith('nntrain/')}
    assert {p.name for p in (ROOT/'nntrain').glob('*.py')} <= in_wheel, sorted({p.name for p in (ROOT/'nntrain').glob('*.py')} - in_wheel)
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    version = cfg['DEFAULT']['version']
    assert f"## {version} " in (ROOT/'CHANGELOG.md').read_text(), f"CHANGELOG.md has no section for version {version}"
    report = tmp_path/'report.json'
    res = pip('install', '--dry-run', '--ignore-installed', '--report', str(report), str(built[1]))
    assert res.returncode == 0, res.stderr[-3000:]
    chosen = {i['metadata']['name'].lower() for i in json.loads(report.read_text())['install']}
    assert 'tqdm' in chosen and not chosen & {'fastprogress', 'python-fasthtml', 'starlette', 'uvicorn'}, sorted(chosen)
