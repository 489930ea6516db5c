"""The `nntrain` console script, run as a user would run it: in a subprocess."""
import csv, json, os, shutil, signal, subprocess, sys, time
from pathlib import Path
import pytest, torch

NNTRAIN = str(Path(sys.executable).parent/'nntrain')
QUICK = ['--limit', '2000', '--bs', '256']

def run(*args, env=None, **kw):
    return subprocess.run([NNTRAIN, *args], capture_output=True, text=True, timeout=600, env=env, **kw)

def history(folder): return list(csv.DictReader(open(Path(folder)/'history.csv')))

SHORT = ['--epochs', '2', '--limit', '500']   # the settings of the finished run below

def made_once(factory, data_path, settings) -> Path:
    "A finished run with `settings`, in a folder of its own, for a module fixture: tests copy it rather than train again."
    out = factory.mktemp('run')/'run'
    res = run('train', '--data', str(data_path), *settings, '--out', str(out))
    assert res.returncode == 0, res.stderr
    return out

@pytest.fixture(scope='module')
def finished_run(tmp_path_factory, data_path) -> Path: return made_once(tmp_path_factory, data_path, SHORT)

def copy_run(src: Path, dst: Path) -> Path: shutil.copytree(src, dst); return dst

def same_content(a, b) -> bool:
    "Equal checkpoint contents: tensors bitwise, everything else by value (pickle's byte layout may differ with object sharing)."
    if isinstance(a, dict): return isinstance(b, dict) and a.keys() == b.keys() and all(same_content(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)): return type(a) == type(b) and len(a) == len(b) and all(map(same_content, a, b))
    if isinstance(a, torch.Tensor): return isinstance(b, torch.Tensor) and a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
    return a == b

def test_train_end_to_end(tmp_path, data_path):
    res = run('train', '--data', str(data_path), '--epochs', '2', '--out', str(tmp_path), *QUICK)
    assert res.returncode == 0, res.stderr
    lines = [l for l in res.stdout.splitlines() if l.startswith('epoch ')]
    assert len(lines) == 2 and 'valid_accuracy' in lines[-1]
    rows = history(tmp_path)
    assert [(r['epoch'], r['phase']) for r in rows] == [('0', 'train'), ('0', 'valid'), ('1', 'train'), ('1', 'valid')]
    best = torch.load(tmp_path/'best.pt', weights_only=True)
    valid_acc = [float(r['accuracy']) for r in rows if r['phase'] == 'valid']
    assert best['epoch'] == valid_acc.index(max(valid_acc))
    assert max(valid_acc) > 0.5   # 2,000 images, 2 epochs: far better than the 10% of chance

LONG = ['--epochs', '30', *QUICK]   # 30 short epochs: however late a signal lands on a loaded machine, it still lands mid-run

@pytest.fixture(scope='module')
def uninterrupted_run(tmp_path_factory, data_path) -> Path: return made_once(tmp_path_factory, data_path, LONG)

@pytest.mark.parametrize('sig', [signal.SIGINT, signal.SIGTERM], ids=['SIGINT', 'SIGTERM'])
def test_signal_then_resume_equals_uninterrupted_run(tmp_path, data_path, uninterrupted_run, sig):
    "Ctrl-C or SIGTERM mid-run: last.pt saved at the next step, a clean exit, and --resume ends exactly like a run never stopped."
    args = ['train', '--data', str(data_path), *LONG]
    copy_run(uninterrupted_run, tmp_path/'full')
    # a shell running this suite in the background (`... &`) ignores SIGINT, and children inherit that: restore the default
    proc = subprocess.Popen([NNTRAIN, *args, '--out', str(tmp_path/'cut')], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    for line in proc.stdout:              # wait for the first epoch to finish, then signal
        if line.startswith('epoch 1/30'): proc.send_signal(sig); break
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 128 + sig, (proc.returncode, err)   # stopped, as shells report a signal, not finished
    assert 'is saved' in err and '--resume' in err and 'Traceback' not in err, err
    stale = [tmp_path/'cut'/'.last.pt.k1ll3d.tmp', tmp_path/'cut'/'.history.csv.k1ll3d.tmp']   # as a kill during a save leaves them
    for p in stale: p.write_text('half written')
    resumed = run(*args, '--out', str(tmp_path/'cut'), '--resume')
    assert resumed.returncode == 0, resumed.stderr
    assert history(tmp_path/'cut') == history(tmp_path/'full')
    load = lambda run: torch.load(tmp_path/run/'best.pt', weights_only=True)
    assert same_content(load('cut'), load('full'))   # the same best.pt: weights bitwise, and everything else
    assert not any(p.exists() for p in stale)

def test_a_new_run_never_replaces_an_old_one(tmp_path, data_path, finished_run):
    out = copy_run(finished_run, tmp_path/'run')
    args = ['train', '--data', str(data_path), *SHORT, '--out', str(out)]
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    res = run(*args)
    assert res.returncode == 2 and res.stderr.count('\n') == 1, res.stderr
    assert str(out) in res.stderr and all(opt in res.stderr for opt in ['--resume', '--out', '--overwrite'])
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    res = run(*args, '--overwrite', '--seed', '1')
    assert res.returncode == 0, res.stderr
    assert (out/'last.pt').read_bytes() != before['last.pt']
    assert f"{out}: replacing best.pt, config.json, curves.png, history.csv, last.pt (moved to .replaced" in res.stdout, res.stdout

@pytest.mark.parametrize('why,args', [('no such data', ['--data', '/nonexistent/folder']), ('a diverging --lr', ['--lr', '1e6'])])
def test_overwrite_keeps_the_old_run_until_the_new_one_has_a_checkpoint(tmp_path, data_path, finished_run, why, args):
    "--overwrite used to empty the folder first: a new run that failed to start left nothing (issue #36, case 2)."
    out = copy_run(finished_run, tmp_path/'run')
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    res = run('train', '--data', str(data_path), *SHORT, '--out', str(out), '--overwrite', *args)
    assert res.returncode == 2 and 'Traceback' not in res.stderr, res.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before, f"{why}: the old run was not kept"

def test_two_runs_never_share_a_folder(tmp_path, data_path):
    "Two runs started on one --out both used to finish, one's files silently replacing the other's (issue #36, case 3)."
    out = tmp_path/'run'
    first = subprocess.Popen([NNTRAIN, 'train', '--data', str(data_path), '--epochs', '200', '--limit', '1000', '--out', str(out)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)   # long enough: a SIGTERM ends it below
    while not (out/'.lock').exists() and first.poll() is None: time.sleep(0.05)
    second = run('train', '--data', str(data_path), *SHORT, '--out', str(out), '--overwrite')
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=600) == 128 + signal.SIGTERM, first.stderr.read()
    assert second.returncode == 2 and f'is in use by process {first.pid}' in second.stderr and second.stderr.count('\n') == 1, second.stderr
    config = json.loads((out/'config.json').read_text())
    assert (config['epochs'], config['limit']) == (200, 1000) and not (out/'.lock').exists()   # the first run's files; its lock gone

def test_sigterm_while_the_run_starts_leaves_no_lock(tmp_path, data_path):
    "SIGTERM once the folder is locked, while the data loads (before SignalStopS listens): exit 143, one line, no lock left."
    out = tmp_path/'run'
    run_ = subprocess.Popen([NNTRAIN, 'train', '--data', str(data_path), '--epochs', '200', '--limit', '1000', '--out', str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while not (out/'.lock').exists() and run_.poll() is None: time.sleep(0.01)
    run_.send_signal(signal.SIGTERM)
    assert run_.wait(timeout=120) == 128 + signal.SIGTERM
    err = run_.stderr.read()
    assert err.startswith('nntrain train: terminated;') and err.count('\n') == 1 and 'Traceback' not in err, err
    assert not (out/'.lock').exists()

def test_a_refused_write_is_one_line_naming_the_file(tmp_path, data_path):
    "A file-size limit (EFBIG, which torch wraps in a RuntimeError as it does a full disk's ENOSPC): one line, nothing left behind."
    import resource
    out = tmp_path/'run'
    limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))   # room for history.csv, not for a checkpoint
    res = run('train', '--data', str(data_path), *SHORT, '--out', str(out), preexec_fn=limit)
    assert res.returncode == 2 and 'Traceback' not in res.stderr and res.stderr.count('\n') == 1, res.stderr
    assert 'file too large' in res.stderr and 'ulimit -f' in res.stderr and f"cannot write {out}" in res.stderr, res.stderr
    assert not list(out.glob('.*.tmp')) and not (out/'.lock').exists()
    res = run('train', '--data', str(data_path), *SHORT, '--out', str(out))   # without the limit, the same command just works
    assert res.returncode == 0, res.stderr

@pytest.mark.parametrize('flag,value', [('--bs', '128'), ('--lr', '0.02'), ('--limit', '1000'), ('--model', 'resnet')])
def test_resume_refuses_changed_settings(tmp_path, data_path, finished_run, flag, value):
    args = ['train', '--data', str(data_path), *SHORT, '--out', str(copy_run(finished_run, tmp_path/'run'))]
    changed = args[:args.index(flag)] + args[args.index(flag) + 2:] if flag in args else args
    res = run(*changed, flag, value, '--resume')
    assert res.returncode == 2 and f'{flag} {value} differs' in res.stderr and 'Traceback' not in res.stderr, res.stderr

@pytest.mark.parametrize('damage', ['empty', 'truncated', 'garbage'])
def test_damaged_checkpoint_is_one_clear_line(tmp_path, data_path, finished_run, damage):
    out = copy_run(finished_run, tmp_path/'run')
    args = ['train', '--data', str(data_path), *SHORT, '--out', str(out)]
    last = out/'last.pt'; good = last.read_bytes()
    last.write_bytes({'empty': b'', 'truncated': good[:len(good) // 2], 'garbage': b'\x00not a checkpoint'}[damage])
    res = run(*args, '--resume')
    assert res.returncode == 2 and 'Traceback' not in res.stderr and res.stderr.count('\n') == 1, res.stderr
    assert str(last) in res.stderr and 'best.pt' in res.stderr and 'may still load' in res.stderr
    if damage == 'empty':                         # the traceback, for whoever needs it (once is enough)
        res = run(*args, '--resume', '--debug')
        assert res.returncode != 0 and 'Traceback' in res.stderr and 'CheckpointError' in res.stderr

def test_history_csv_never_follows_a_planted_link(tmp_path, data_path):
    "The old fixed temporary name (.history.csv.tmp) followed a symlink planted in the output folder and overwrote its target."
    victim = tmp_path/'victim.txt'; victim.write_text('precious')
    out = tmp_path/'run'; out.mkdir()
    (out/'.history.csv.tmp').symlink_to(victim)
    res = run('train', '--data', str(data_path), '--epochs', '1', '--limit', '500', '--out', str(out))
    assert res.returncode == 0, res.stderr
    assert victim.read_text() == 'precious' and len(history(out)) == 2

def test_full_disk_is_one_clear_line(tmp_path, data_path, monkeypatch, capsys):
    "A full disk while saving: one line, exit 2 (in-process, with torch.save failing as it does on a full disk)."
    import errno, nntrain.cli
    def full_disk(*a, **k): raise OSError(errno.ENOSPC, 'No space left on device')
    monkeypatch.setattr(torch, 'save', full_disk)
    monkeypatch.setattr(sys, 'argv', ['nntrain', 'train', '--data', str(data_path), '--epochs', '1', '--limit', '300', '--out', str(tmp_path)])
    with pytest.raises(SystemExit) as exit_:
        nntrain.cli.main()
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and 'no space left' in err and str(tmp_path) in err and err.count('\n') == 1, err
    assert not list(tmp_path.glob('.*.tmp'))   # the failed save left nothing behind

@pytest.mark.parametrize('args,message', [
    (['--model', 'vit'], "Unknown model 'vit'"),
    (['--lr', '0'], '--lr must be positive'),
    (['--lr', '-0.1'], '--lr must be positive'),
    (['--lr', 'inf'], '--lr must be positive and finite'),
    (['--epochs', '0'], '--epochs must be at least 1'),
    (['--data', '/nonexistent/folder'], '--data /nonexistent/folder: no such folder'),
    (['--resume'], 'Cannot resume'),
    (['--resume', '--overwrite'], 'give one of them'),
    (['--workers', '-1'], '--workers must be 0'),
    (['--epochs', 'five'], 'invalid int value'),
    (['--label_smoothing', '1.5'], '--label_smoothing must be in [0, 1)'),
    (['--nproc', '0'], 'nproc must be at least 1, got 0'),
    (['--limit', '0'], '--limit must be at least 1'),
    (['--limit', '-5'], '--limit must be at least 1'),
    (['--seed', '-1'], '--seed must be between'),
    (['--device', 'foo'], "--device 'foo' is not a device"),
    (['--device', 'cuda:99'], 'CUDA device'),
    (['--lr', '1e30', '--limit', '500', '--epochs', '1'], '(train). Lower --lr, or check the data.'),
])
def test_bad_arguments_exit_2_with_a_clear_message(tmp_path, data_path, args, message):
    full_args = ['train', '--out', str(tmp_path/'run')] + ([] if '--data' in args else ['--data', str(data_path)]) + args
    res = run(*full_args)
    assert res.returncode == 2, (res.returncode, res.stderr)
    assert message in res.stderr and 'Traceback' not in res.stderr, res.stderr
    errors = [l for l in res.stderr.splitlines() if 'error:' in l]   # argparse prints its usage first; the error is one line
    assert len(errors) == 1 and errors[0].startswith('nntrain train: error:'), res.stderr

def test_out_naming_a_file(tmp_path, data_path):
    (tmp_path/'notes.txt').write_text('mine')
    res = run('train', '--data', str(data_path), '--out', str(tmp_path/'notes.txt'))
    assert res.returncode == 2 and 'is a file' in res.stderr and 'Traceback' not in res.stderr
    assert (tmp_path/'notes.txt').read_text() == 'mine'

def test_offline_without_data_says_what_to_set(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != 'NNTRAIN_DATA'} | {'HF_HUB_OFFLINE': '1', 'HF_HOME': str(tmp_path/'hf')}
    res = run('train', '--out', str(tmp_path/'run'), env=env)
    assert res.returncode == 2 and 'NNTRAIN_DATA' in res.stderr and 'Traceback' not in res.stderr

def test_usage(tmp_path):
    for args in ([], ['--help']):   # the list of commands, at once (nothing imported), and a success
        res = run(*args)
        assert res.returncode == 0 and 'usage: nntrain' in res.stdout and all(f"  {c} " in res.stdout for c in ('train', 'predict', 'evaluate', 'export')), res
    res = run('trian')
    assert res.returncode == 2 and "no command 'trian'" in res.stderr
    res = run('train', '--help')
    assert res.returncode == 0 and all(opt in res.stdout for opt in ['--resume', '--overwrite', '--augment', '--mixed_precision', '--compile', '--nproc', '--debug'])

def test_tensorboard_logs_the_history(tmp_path, data_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    res = run('train', '--data', str(data_path), '--epochs', '2', '--limit', '500', '--tensorboard', '--out', str(tmp_path))
    assert res.returncode == 0, res.stderr
    ea = EventAccumulator(str(tmp_path/'tensorboard'), size_guidance={'scalars': 0}); ea.Reload()
    logged = [round(e.value, 4) for e in ea.Scalars('valid/accuracy')]
    assert logged == [round(float(r['accuracy']), 4) for r in history(tmp_path) if r['phase'] == 'valid']
    assert {'batch/loss', 'batch/lr', 'train/loss'} <= set(ea.Tags()['scalars'])

def test_tensorboard_missing_says_what_to_install(tmp_path, data_path):
    stub = tmp_path/'stub'/'tensorboard'; stub.mkdir(parents=True)
    (stub/'__init__.py').write_text("raise ImportError('No module named tensorboard (a stand-in for a machine without it)')")
    env = os.environ | {'PYTHONPATH': str(tmp_path/'stub')}
    res = run('train', '--data', str(data_path), '--epochs', '1', '--limit', '300', '--tensorboard', '--out', str(tmp_path/'run'), env=env)
    assert res.returncode == 2 and "pip install 'nntrain[tensorboard]'" in res.stderr and 'Traceback' not in res.stderr, res.stderr

def test_mixed_precision_warns_in_one_line_where_bfloat16_is_emulated(tmp_path, data_path):
    "On a CPU without bfloat16 instructions (simulated), --mixed_precision still trains, with a one-line warning saying why to drop it."
    code = ("import sys, nntrain.accel as a; a.native_bfloat16 = lambda: False\n"
            "from nntrain.cli import main; sys.exit(main())")
    res = subprocess.run([sys.executable, '-c', code, 'train', '--data', str(data_path), '--limit', '256', '--epochs', '1',
                          '--mixed_precision', '--out', str(tmp_path/'run')], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    warning = [l for l in res.stderr.splitlines() if 'warning' in l]
    assert len(warning) == 1 and warning[0].startswith('nntrain train: warning: This CPU has no bfloat16 instructions'), res.stderr

def test_a_run_without_out_gets_a_folder_named_after_its_data(tmp_path):
    "No --out: runs/<the data folder's name>, numbered when taken (a second run never fails nor replaces the first); --resume takes the newest."
    from PIL import Image
    gen = torch.Generator().manual_seed(0)
    for label, light in (('dark', 0), ('light', 1)):
        (tmp_path/'shapes'/label).mkdir(parents=True)
        for i in range(12):
            pixels = (torch.rand(8, 8, generator=gen) * 100 + 155 * light).to(torch.uint8).numpy()
            Image.fromarray(pixels).save(tmp_path/'shapes'/label/f'{i}.png')
    first, second = (run('train', '--data', 'shapes', '--epochs', '1', cwd=tmp_path) for _ in range(2))
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert 'run folder: runs/shapes\n' in first.stdout and 'run folder: runs/shapes-2\n' in second.stdout, first.stdout + second.stdout
    assert (tmp_path/'runs'/'shapes'/'best.pt').is_file() and (tmp_path/'runs'/'shapes-2'/'best.pt').is_file()
    assert 'sized to the data: --bs 16 for 20 training images' in first.stdout, first.stdout
    again = run('train', '--data', 'shapes', '--epochs', '1', '--resume', cwd=tmp_path)   # the newest run, which has finished
    assert again.returncode == 2 and 'run folder: runs/shapes-2\n' in again.stdout, again.stdout + again.stderr
    assert 'The run in runs/shapes-2 has finished (epoch 1 of 1)' in again.stderr and 'Traceback' not in again.stderr, again.stderr
