"""Multi-node and restart on one machine: 2 "nodes" x 1 process against 1 node x 2, and the seconds a killed worker costs.

Run: python benchmarks/scaleout.py --data /path/to/data   (default: $NNTRAIN_DATA)
Each round runs, one after the other, the same `nntrain train` three ways: `--nproc 2`; two launching commands with
`--nnodes 2` meeting at a c10d rendezvous on 127.0.0.1; and `--nproc 2 --max_restarts 1` whose rank 0 worker gets SIGKILL
just after the first mid-epoch checkpoint of epoch 2. It prints wall-clock seconds (median over rounds), whether the
final weights equal the first way's bit for bit, and what the restart cost. Linux only (it finds the worker in /proc).
"""
import argparse, os, platform, re, signal, statistics, subprocess, sys, tempfile, time
from pathlib import Path
import torch
from nntrain.accel import free_port

sys.path.insert(0, str(Path(__file__).resolve().parents[1]/'tests'))
from test_distributed import worker_pid   # finds a worker by its rank and the run's folder, in /proc

NNTRAIN = Path(sys.executable).with_name('nntrain')
ENV = os.environ | {'OMP_NUM_THREADS': '1'}   # one thread per process in every way, so the arithmetic is the same

def processor() -> str:
    info = Path('/proc/cpuinfo').read_text() if Path('/proc/cpuinfo').exists() else ''
    name = next((l.split(':', 1)[1].strip() for l in info.splitlines() if l.startswith('model name')), platform.processor())
    return f"{name}, {'AVX-512' if 'avx512f' in info else 'AVX2' if 'avx2' in info else 'no AVX2'}, {os.cpu_count()} cores"

def start(args, out): return subprocess.Popen([str(NNTRAIN), *args, '--out', str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                              text=True, env=ENV)

def finish(proc):
    out, err = proc.communicate()
    if proc.returncode: sys.exit(f"a run failed:\n{err[-3000:]}")
    return out

def one_node(args, out):
    t0 = time.perf_counter(); finish(start([*args, '--nproc', '2'], out)); return time.perf_counter() - t0

def two_nodes(args, out):
    where = ['--nnodes', '2', '--rdzv_endpoint', f'127.0.0.1:{free_port()}']
    t0 = time.perf_counter()
    nodes = [start([*args, *where, '--node_rank', str(r)], out) for r in (1, 0)]
    for p in nodes: finish(p)
    return time.perf_counter() - t0

def killed(args, out, steps_per_epoch):
    "Wall seconds of a run whose rank 0 dies just after a mid-epoch checkpoint of epoch 2, the step it resumed from, and the kill's time."
    t0 = time.perf_counter()
    proc, steps = start([*args, '--nproc', '2', '--max_restarts', '1'], out), 0
    while steps <= steps_per_epoch:
        time.sleep(0.01)
        try: steps = torch.load(out/'last.pt', weights_only=True)['train_steps']
        except (OSError, RuntimeError, EOFError): pass
    os.kill(worker_pid(out, 0), signal.SIGKILL); t_kill = time.perf_counter() - t0
    log = finish(proc)
    resumed = re.search(r'resuming from .*\(step (\d+)\)', log)
    if not resumed: sys.exit(f"the run did not resume:\n{log}")
    return time.perf_counter() - t0, int(resumed[1]), t_kill

def same_weights(a: Path, b: Path) -> bool:
    wa, wb = (torch.load(d/'last.pt', weights_only=True)['model'] for d in (a, b))
    return all(torch.equal(wa[k], wb[k]) for k in wa)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=os.environ.get('NNTRAIN_DATA'), help='folder with fashion_mnist/ (default: $NNTRAIN_DATA)')
    p.add_argument('--limit', type=int, default=10_000, help='training (and validation) images')
    p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--checkpoint_every', type=int, default=50)
    p.add_argument('--rounds', type=int, default=3)
    a = p.parse_args()
    if not a.data: sys.exit("Give --data (a folder holding fashion_mnist/) or set NNTRAIN_DATA.")
    args = ['train', '--data', a.data, '--limit', str(a.limit), '--epochs', str(a.epochs), '--bs', str(a.bs), '--augment',
            '--checkpoint_every', str(a.checkpoint_every)]
    steps_per_epoch = -(-(a.limit // 2) // (a.bs // 2))
    times = {'1 node x 2 processes': [], '2 nodes x 1 process': [], '1 node x 2, rank 0 killed': []}
    resumed, kills, equal = [], [], True
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(a.rounds):
            dirs = [Path(tmp)/f'{r}-{k}' for k in ('one', 'two', 'killed')]
            times['1 node x 2 processes'].append(one_node(args, dirs[0]))
            times['2 nodes x 1 process'].append(two_nodes(args, dirs[1]))
            t, step, t_kill = killed(args, dirs[2], steps_per_epoch)
            times['1 node x 2, rank 0 killed'].append(t); resumed.append(step); kills.append(t_kill)
            equal &= same_weights(dirs[0], dirs[1]) and same_weights(dirs[0], dirs[2])
    print(f"nntrain train --limit {a.limit} --epochs {a.epochs} --bs {a.bs} --augment --checkpoint_every {a.checkpoint_every} "
          f"({steps_per_epoch} steps per epoch), median of {a.rounds} rounds; {processor()}, torch {torch.__version__}")
    base = statistics.median(times['1 node x 2 processes'])
    for k, v in times.items(): print(f"{k:28s} {statistics.median(v):6.1f} s   {statistics.median(v) / base:5.2f}x   ({', '.join(f'{x:.1f}' for x in v)})")
    lost = [k - o for k, o in zip(times['1 node x 2, rank 0 killed'], times['1 node x 2 processes'])]
    print(f"killed at {statistics.median(kills):.1f} s into the run; resumed from step {', '.join(map(str, resumed))}; "
          f"seconds lost to the kill: {statistics.median(lost):.1f} (each round: {', '.join(f'{x:.1f}' for x in lost)})")
    print(f"final weights equal to 1 node x 2 processes, bit for bit, in every round: {equal}")

if __name__ == '__main__': main()
