"""Data-parallel training in two real processes, started by torchrun on the loopback address (gloo)."""
import csv, json, os, re, signal, subprocess, sys, time
import pytest
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
    from nntrain.models import fashion_cnn
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

NNTRAIN = Path(sys.executable).with_name('nntrain')
ENV = os.environ | {'OMP_NUM_THREADS': '1'}   # one thread per process, so that every run below does the same arithmetic
# a few hundred steps (4 epochs of 63), each rank drawing its own augmentation, a checkpoint every 10 steps
RUN = ['train', '--limit', '2000', '--epochs', '4', '--bs', '32', '--augment', '--checkpoint_every', '10']

def nntrain(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(NNTRAIN), *RUN, *map(str, args)], capture_output=True, text=True, timeout=600, env=ENV, **kwargs)

def start(*args) -> subprocess.Popen:
    return subprocess.Popen([str(NNTRAIN), *RUN, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)

def weights(run: Path) -> dict: return torch.load(run/'last.pt', weights_only=True)['model']

def assert_same_run(run: Path, reference: Path):
    "The same final weights, bit for bit, and the same history."
    a, b = weights(run), weights(reference)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a), f"{run} ends with other weights than {reference}"
    rows = lambda d: list(csv.DictReader(open(d/'history.csv')))
    assert rows(run) == rows(reference)

def assert_nothing_left(out: Path):
    time.sleep(1)
    left = subprocess.run(['pgrep', '-f', str(out)], capture_output=True, text=True).stdout.split()
    assert not left, f"processes still running for {out}: {left}"

@pytest.fixture(scope='module')
def reference(tmp_path_factory, data_path) -> Path:
    "An uninterrupted `nntrain train --nproc 2` run, which the runs below must reproduce."
    out = tmp_path_factory.mktemp('reference')
    res = nntrain('--nproc', 2, '--data', data_path, '--out', out)
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.count('epoch 1/4') == 1                 # the epoch line comes from rank 0 only
    assert {p.name for p in out.iterdir()} >= {'best.pt', 'last.pt', 'history.csv'}
    return out

@pytest.mark.slow
def test_two_nodes_equal_one_node_with_two_processes(reference, tmp_path, data_path):
    "Two launching commands, one process each, meet at a c10d rendezvous on the loopback and train exactly as --nproc 2 does."
    from nntrain.accel import free_port
    where = ['--nnodes', 2, '--rdzv_endpoint', f'127.0.0.1:{free_port()}', '--data', data_path, '--out', tmp_path]
    nodes = [start(*where, '--node_rank', r) for r in (1, 0)]   # node 1 first: it waits for node 0's rendezvous store
    outs = [p.communicate(timeout=600) for p in nodes]
    assert all(p.returncode == 0 for p in nodes), [err[-2000:] for _, err in outs]
    assert sum(out.count('epoch 1/4') for out, _ in outs) == 1    # one rank 0 across the nodes prints
    assert_same_run(tmp_path, reference)
    assert_nothing_left(tmp_path)

def worker_pid(out: Path, rank: int) -> int|None:
    "The pid of the first attempt's worker of `rank` in the run writing to `out`."
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try: env, cmd = (Path(f'/proc/{pid}/{f}').read_bytes() for f in ('environ', 'cmdline'))
        except OSError: continue
        env = env.split(b'\0')
        if str(out).encode() in cmd and b'torch.distributed.run' not in cmd and f'RANK={rank}'.encode() in env \
           and b'TORCHELASTIC_RESTART_COUNT=0' in env: return int(pid)

def wait_for_mid_epoch_checkpoint(proc: subprocess.Popen, out: Path):
    "Wait until the run has saved a checkpoint in epoch 2 (every 10 steps; 63 steps an epoch)."
    steps = 0
    while steps <= 63:
        time.sleep(0.02)
        try: steps = torch.load(out/'last.pt', weights_only=True)['train_steps']
        except (OSError, RuntimeError, EOFError): pass   # not written yet
        assert proc.poll() is None, proc.communicate()[1][-3000:]

@pytest.mark.slow
def test_killed_worker_restarts_and_ends_with_the_same_weights(reference, tmp_path, data_path):
    "SIGKILL to rank 0 mid-epoch: with --max_restarts 1 torchrun restarts both workers, which resume from the newest checkpoint."
    proc = start('--nproc', 2, '--max_restarts', 1, '--data', data_path, '--out', tmp_path)
    wait_for_mid_epoch_checkpoint(proc, tmp_path)   # so that the restart resumes mid-epoch
    os.kill(worker_pid(tmp_path, 0), signal.SIGKILL)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    resumed = re.search(r'restart 1 of 1: resuming from .*last.pt \(step (\d+)\)', out)
    assert resumed and int(resumed[1]) % 63, out           # from a checkpoint taken mid-epoch
    assert_same_run(tmp_path, reference)
    assert_nothing_left(tmp_path)

@pytest.mark.slow
def test_sigterm_stops_every_worker_and_resume_is_exact(reference, tmp_path, data_path):
    "SIGTERM to the launcher stops torchrun and both workers at one step (no restart, though one is allowed); --resume ends as the reference."
    args = ['--nproc', 2, '--max_restarts', 1, '--data', data_path, '--out', tmp_path]
    proc = start(*args)
    # mid-epoch: a signal just after an epoch's line would stop the run at that epoch's end, a resume of another kind
    wait_for_mid_epoch_checkpoint(proc, tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM and 'is saved' in err, (proc.returncode, err[-3000:])
    assert_nothing_left(tmp_path)
    ckpt = torch.load(tmp_path/'last.pt', weights_only=True)
    assert ckpt['batches_done'] is not None and len(ckpt['ranks']) == 2   # mid-epoch, with each rank's own state
    stamp = (tmp_path/'last.pt').stat().st_mtime_ns
    time.sleep(2)
    assert (tmp_path/'last.pt').stat().st_mtime_ns == stamp                 # nobody writes to --out any more
    resumed = nntrain(*args, '--resume')
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert_same_run(tmp_path, reference)

def test_launcher_options_are_checked_before_anything_starts(tmp_path, data_path):
    "The launcher's own options fail in one line before torchrun starts (notebook 08 checks the others on torchrun_command)."
    for args, msg in [(['--nnodes', 2], '--node_rank'), (['--nnodes', 2, '--node_rank', 0, '--rdzv_endpoint', 'node0'], 'is not HOST:PORT')]:
        res = nntrain(*args, '--data', data_path, '--out', tmp_path/'run')
        assert res.returncode == 2 and msg in res.stderr and len(res.stderr.splitlines()) == 1, (args, res.stderr[-2000:])
        assert not (tmp_path/'run').exists()
