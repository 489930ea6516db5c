"""The `nntrain` console script, run as a user would run it: in a subprocess."""
import csv, os, signal, subprocess, sys, time
from pathlib import Path
import pytest, torch

NNTRAIN = str(Path(sys.executable).parent/'nntrain')
QUICK = ['--limit', '2000', '--bs', '256']

def run(*args, env=None, **kw):
    return subprocess.run([NNTRAIN, *args], capture_output=True, text=True, timeout=600, env=env, **kw)

def history(folder): return list(csv.DictReader(open(Path(folder)/'history.csv')))

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

def test_ctrl_c_then_resume_equals_uninterrupted_run(tmp_path, data_path):
    # 30 short epochs: however late the signal lands on a loaded machine, it still lands mid-run
    args = ['train', '--data', str(data_path), '--epochs', '30', *QUICK]
    full = run(*args, '--out', str(tmp_path/'full'))
    assert full.returncode == 0, full.stderr
    # a shell running this suite in the background (`... &`) ignores SIGINT, and children inherit that: restore the default
    proc = subprocess.Popen([NNTRAIN, *args, '--out', str(tmp_path/'cut')], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    for line in proc.stdout:              # wait for the first epoch to finish, then press Ctrl-C
        if line.startswith('epoch 1/30'): proc.send_signal(signal.SIGINT); break
    proc.communicate(timeout=300)
    assert proc.returncode != 0, "the run finished before the interrupt landed"   # it was interrupted, not finished
    assert not list((tmp_path/'cut').glob('.*.tmp'))
    resumed = run(*args, '--out', str(tmp_path/'cut'), '--resume')
    assert resumed.returncode == 0, resumed.stderr
    assert history(tmp_path/'cut') == history(tmp_path/'full')

@pytest.mark.parametrize('args,message', [
    (['--model', 'vit'], "Unknown model 'vit'"),
    (['--lr', '0'], '--lr must be positive'),
    (['--lr', '-0.1'], '--lr must be positive'),
    (['--epochs', '0'], '--epochs must be at least 1'),
    (['--data', '/nonexistent/folder'], 'No Fashion-MNIST IDX files'),
    (['--resume'], 'Cannot resume'),
    (['--epochs', 'five'], 'invalid int value'),
    (['--label_smoothing', '1.5'], '--label_smoothing must be in [0, 1)'),
    (['--nproc', '0'], '--nproc must be at least 1'),
])
def test_bad_arguments_exit_2_with_a_clear_message(tmp_path, data_path, args, message):
    full_args = ['train', '--out', str(tmp_path/'run')] + ([] if '--data' in args else ['--data', str(data_path)]) + args
    res = run(*full_args)
    assert res.returncode == 2, (res.returncode, res.stderr)
    assert message in res.stderr and 'Traceback' not in res.stderr

def test_offline_without_data_says_what_to_set(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != 'NNTRAIN_DATA'} | {'HF_HUB_OFFLINE': '1', 'HF_HOME': str(tmp_path/'hf')}
    res = run('train', '--out', str(tmp_path/'run'), env=env)
    assert res.returncode == 2 and 'NNTRAIN_DATA' in res.stderr and 'Traceback' not in res.stderr

def test_usage(tmp_path):
    res = run()
    assert res.returncode == 2 and 'usage: nntrain' in res.stderr
    res = run('train', '--help')
    assert res.returncode == 0 and all(opt in res.stdout for opt in ['--resume', '--augment', '--mixed_precision', '--compile', '--nproc'])
