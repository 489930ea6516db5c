"""Data-parallel training in two real processes, started by torchrun on the loopback address (gloo)."""
import csv, json, os, signal, subprocess, sys, time
from pathlib import Path
import torch
import torch.nn.functional as F
from nntrain.accel import torchrun_command

WORKER = Path(__file__).with_name('ddp_worker.py')

def torchrun(*args):
    cmd, env = torchrun_command(2, [str(WORKER), *map(str, args)])
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env | {'OMP_NUM_THREADS': '1'})

def test_synced_valid_accuracy_equals_single_process_eval(tmp_path, data_path):
    res = torchrun('train', tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    from nntrain.cli import fashion_cnn
    from nntrain.dataloaders import load_fashion_mnist, hf_ds_to_tensors
    from ddp_worker import N_VALID
    model = fashion_cnn(); model.load_state_dict(torch.load(tmp_path/'model.pt', weights_only=True)); model.eval()
    xv, yv = hf_ds_to_tensors(load_fashion_mnist()['test'].select(range(N_VALID)))
    with torch.no_grad(): preds = model(xv.float() / 255)
    synced = [r for r in json.loads((tmp_path/'history.json').read_text()) if r['phase'] == 'valid'][-1]
    assert synced['accuracy'] == (preds.argmax(1) == yv).float().mean().item()
    assert abs(synced['loss'] - F.cross_entropy(preds, yv).item()) < 1e-4
    assert synced['accuracy'] > 0.5     # it learned: chance is 0.1

def test_error_on_one_rank_ends_the_run(tmp_path, data_path):
    res = torchrun('fail', tmp_path)
    assert res.returncode != 0
    assert 'deliberate failure on rank 1' in res.stderr
    assert not (tmp_path/'model.pt').exists()

def test_cli_nproc_2(tmp_path, data_path):
    "`nntrain train --nproc 2` relaunches itself under torchrun (whose parser must not see --nproc) and rank 0 writes the run."
    nntrain = Path(sys.executable).with_name('nntrain')
    res = subprocess.run([str(nntrain), 'train', '--nproc', '2', '--data', str(data_path), '--limit', '2000', '--epochs', '1',
                          '--out', str(tmp_path)], capture_output=True, text=True, timeout=300, env=os.environ | {'OMP_NUM_THREADS': '1'})
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.count('epoch 1/1') == 1                 # the epoch line comes from rank 0 only
    assert {p.name for p in tmp_path.iterdir()} >= {'best.pt', 'last.pt', 'history.csv'}

def test_sigterm_stops_every_worker_and_resume_is_exact(tmp_path, data_path):
    "SIGTERM to `nntrain train --nproc 2` stops torchrun and both workers at one step; --resume gives each rank its own random state back."
    nntrain = Path(sys.executable).with_name('nntrain')
    env = os.environ | {'OMP_NUM_THREADS': '1'}
    # --augment: each rank draws its own augmentation, so a resume that gave rank 1 rank 0's random state would differ
    args = [str(nntrain), 'train', '--nproc', '2', '--data', str(data_path), '--limit', '2000', '--epochs', '6', '--augment', '--bs', '128']
    full = subprocess.run([*args, '--out', str(tmp_path/'full')], capture_output=True, text=True, timeout=600, env=env)
    assert full.returncode == 0, full.stderr[-3000:]
    cut = tmp_path/'cut'
    proc = subprocess.Popen([*args, '--out', str(cut)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    for line in proc.stdout:
        if line.startswith('epoch 1/6'): proc.send_signal(signal.SIGTERM); break
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0 and 'is saved' in err, (proc.returncode, err[-3000:])
    time.sleep(1)
    left = subprocess.run(['pgrep', '-f', str(cut)], capture_output=True, text=True).stdout.split()
    assert not left, f"processes still running for {cut}: {left}"
    ckpt = torch.load(cut/'last.pt', weights_only=True)
    assert ckpt['batches_done'] is not None and len(ckpt['ranks']) == 2   # mid-epoch, with each rank's own state
    stamp = (cut/'last.pt').stat().st_mtime_ns
    time.sleep(2)
    assert (cut/'last.pt').stat().st_mtime_ns == stamp                     # nobody writes to --out any more
    resumed = subprocess.run([*args, '--out', str(cut), '--resume'], capture_output=True, text=True, timeout=600, env=env)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    rows = lambda d: list(csv.DictReader(open(d/'history.csv')))
    assert rows(cut) == rows(tmp_path/'full')
