"""Screen recipe variants for the speed run (issue 21): final test accuracy, plain and with test-time flips, over seeds.

Accuracy at a given number of epochs does not depend on the processor, so the variants can be screened wherever
compute is at hand (a lent GPU runs several at once); the times printed are those of that machine, shared between the
runs in flight, and are not speed figures. Every run is the `nntrain train` ResNet recipe (AdamW, one-cycle, label
smoothing, batch 256, channels_last, the `--augment` transforms) with one setting changed.

    python benchmarks/recipe_sweep.py --data FOLDER_WITH_THE_IDX_FILES --device cuda --parallel 10 --out sweep.jsonl
    python benchmarks/recipe_sweep.py --data ... --device cpu --variants base-5 --seeds 0 --limit 2000   # a quick check
"""
import argparse, json, os, subprocess, sys, time
from functools import partial
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from gpu_check import load   # reads the IDX files (and stands in for `datasets` where it does not import)
import torch
import torch.nn.functional as F
from torch import nn
import torcheval.metrics as tem
from nntrain.learner import Learner, DeviceS, MetricsS, SchedulerS, set_seed
from nntrain.dataloaders import DataLoaders, TensorLoader
from nntrain.init import init_weights
from nntrain.resnet import make_resnet
from nntrain.augmentation import AugmentS, MixUpS, CutMixS, RandomFlip, RandomCrop, RandomErasing
from nntrain.models import Normalize, FASHION_MNIST_MEAN, FASHION_MNIST_STD

WIDE = (12, 24, 48, 96, 192, 384)
BASE = dict(widths=WIDE, depth=1, epochs=20, bs=256, lr=1e-2, wd=0.01, ls=0.1, erase=0.25, crop=2, mix=None)
VARIANTS = {   # name: the settings that differ from BASE, in the order they are run (most wanted first)
    'base-20': {}, 'base-10': dict(epochs=10), 'base-5': dict(epochs=5),
    'wd0.05-20': dict(wd=0.05), 'ls0.2-20': dict(ls=0.2), 'lr2e-2-20': dict(lr=2e-2), 'bs128-20': dict(bs=128),
    'cutmix-20': dict(mix='cutmix'), 'erase0-20': dict(erase=0.), 'x2width-20': dict(widths=tuple(2 * w for w in WIDE)),
    'depth2-20': dict(depth=2), 'narrow-5': dict(widths=(8, 16, 32, 64, 128, 256), epochs=5),
    'narrow-10': dict(widths=(8, 16, 32, 64, 128, 256), epochs=10), 'base-40': dict(epochs=40)}

def run_one(data, name: str, seed: int, device: str, limit=None) -> dict:
    "Train variant `name` with `seed`; its final test accuracy, plain and averaged with the mirrored images."
    c = BASE | VARIANTS[name]
    (x, y), (xv, yv) = data
    if limit: x, y, xv, yv = x[:limit], y[:limit], xv[:limit], yv[:limit]
    set_seed(seed)
    dls = DataLoaders(TensorLoader(x, y, c['bs'], shuffle=True, generator=torch.Generator().manual_seed(seed)), TensorLoader(xv, yv, 1000))
    model = nn.Sequential(Normalize(FASHION_MNIST_MEAN, FASHION_MNIST_STD), *make_resnet(widths=c['widths'], depth=c['depth'])).apply(init_weights)
    augment = nn.Sequential(RandomFlip(), RandomCrop(padding=c['crop']), *([RandomErasing(p=c['erase'])] if c['erase'] else []))
    mix = {'cutmix': [CutMixS()], 'mixup': [MixUpS()], None: []}[c['mix']]
    subs = [DeviceS(device, memory_format=torch.channels_last), MetricsS(accuracy=tem.MulticlassAccuracy(), show=False),
            SchedulerS(partial(torch.optim.lr_scheduler.OneCycleLR, max_lr=c['lr'])), AugmentS(augment), *mix]
    learn = Learner(model, dls, partial(F.cross_entropy, label_smoothing=c['ls']), partial(torch.optim.AdamW, weight_decay=c['wd']), c['lr'], subs)
    t0 = time.perf_counter()
    learn.fit(c['epochs'])
    seconds = time.perf_counter() - t0
    acc = lambda p, t: (p.argmax(-1) == t).float().mean().item()
    flip_probs, targets = learn.tta(n=1, transform=lambda b: b.flip(-1))
    train = [r for r in learn.history if r['phase'] == 'train'][-1]
    return dict(variant=name, seed=seed, epochs=c['epochs'], accuracy=learn.history[-1]['accuracy'], flip_tta=acc(flip_probs, targets),
                train_accuracy=train['accuracy'], seconds=round(seconds, 1), device=device)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', type=Path, required=True, help='folder with the four Fashion-MNIST IDX .gz files')
    p.add_argument('--device', default='cuda')
    p.add_argument('--variants', nargs='*', default=list(VARIANTS), help=f"some of: {' '.join(VARIANTS)}")
    p.add_argument('--seeds', type=int, nargs='*', default=[0, 1, 2])
    p.add_argument('--parallel', type=int, default=1, help='runs in flight at once (separate processes)')
    p.add_argument('--deadline', type=float, default=None, help='seconds after which no new run starts')
    p.add_argument('--limit', type=int, default=None, help='use the first LIMIT images of each split (for a quick check)')
    p.add_argument('--out', type=Path, default=None, help='append one JSON line per finished run here')
    p.add_argument('--one', default=None, help=argparse.SUPPRESS)   # VARIANT:SEED, in a worker process
    a = p.parse_args()
    for v in a.variants:
        if v not in VARIANTS: p.error(f"unknown variant {v!r}; choose from {' '.join(VARIANTS)}")
    if a.one:
        name, seed = a.one.rsplit(':', 1)
        print(json.dumps(run_one(load(a.data), name, int(seed), a.device, a.limit)), flush=True); return
    queue = [(v, s) for v in a.variants for s in a.seeds]
    running, t0 = [], time.perf_counter()
    env = os.environ | {'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '1' if a.parallel > 1 else '')}
    while queue or running:
        while queue and len(running) < a.parallel and (a.deadline is None or time.perf_counter() - t0 < a.deadline):
            v, s = queue.pop(0)
            cmd = [sys.executable, __file__, '--data', str(a.data), '--device', a.device, '--one', f'{v}:{s}'] + (['--limit', str(a.limit)] if a.limit else [])
            running.append((v, s, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)))
        if a.deadline is not None and time.perf_counter() - t0 >= a.deadline and queue:
            print(f"deadline: {len(queue)} runs not started: {' '.join(f'{v}:{s}' for v, s in queue)}", flush=True); queue = []
        time.sleep(0.5)
        for item in [r for r in running if r[2].poll() is not None]:
            running.remove(item); v, s, proc = item
            out, err = proc.communicate()
            if proc.returncode != 0: print(f"FAILED {v}:{s}: {err[-1500:]}", flush=True); continue
            line = out.strip().splitlines()[-1]
            print(f"{time.perf_counter() - t0:6.0f}s {line}", flush=True)
            if a.out:
                with open(a.out, 'a') as f: f.write(line + '\n')

if __name__ == '__main__': main()
