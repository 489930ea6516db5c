"""`nntrain train --pretrained` against training from scratch, from the command line, as issue 32 first measured it.

A ResNet is trained on Fashion-MNIST classes 0-4 written as an image tree (3 epochs); then classes 5-9 with 20 training
images per class (their 5,000 test images as the validation folder) are trained for 8 epochs, with `--pretrained` and
without, for each seed. The figure is the last epoch's validation accuracy. `--python` runs another checkout's nntrain
(e.g. a worktree of an older commit) with the same trees and source run.

    NNTRAIN_DATA=../shared/data python benchmarks/transfer_cli.py --seeds 0 1 --log benchmarks/logs/transfer_cli.jsonl --label after
"""
import argparse, csv, json, os, subprocess, sys, tempfile, time
from pathlib import Path
import torch
from PIL import Image
from nntrain.dataloaders import DataLoaders, load_fashion_mnist

def write_classes(root: Path, x, y, classes, per_class=None, seed=0):
    "PNG files root/<class>/<i>.png of `classes`, at most `per_class` of each, drawn with `seed`."
    g = torch.Generator().manual_seed(seed)
    for c in classes:
        idx = (y == c).nonzero().flatten()
        if per_class: idx = idx[torch.randperm(len(idx), generator=g)[:per_class]]
        (root/str(c)).mkdir(parents=True, exist_ok=True)
        for i in idx.tolist(): Image.fromarray(x[i, 0].numpy()).save(root/str(c)/f'{i}.png')

def train(python, *args, env):
    "Run nntrain train with `python` (its nntrain); the last epoch's validation accuracy."
    # run outside the checkout: `python -c` puts the working folder first on the path, which would shadow --pythonpath
    res = subprocess.run([python, '-c', 'from nntrain.cli import main; main()', 'train', *map(str, args)], capture_output=True, text=True,
                         env=env, cwd=tempfile.gettempdir())
    if res.returncode: raise RuntimeError(res.stderr[-2000:])
    out = Path(args[list(args).index('--out') + 1])
    rows = [r for r in csv.DictReader(open(out/'history.csv')) if r['phase'] == 'valid']
    return float(rows[-1]['accuracy']), res.stdout

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    p.add_argument('--work', default=None, help='folder for the trees and runs (default: a temporary one); reused when it holds them')
    p.add_argument('--python', default=sys.executable, help="the Python whose nntrain runs the target trainings")
    p.add_argument('--pythonpath', default=None, help='PYTHONPATH for that Python (an older checkout)')
    p.add_argument('--label', default='')
    p.add_argument('--log', default=None)
    a = p.parse_args()
    work = Path(a.work or tempfile.mkdtemp())
    env = {**os.environ, 'NNTRAIN_CACHE': str(work/'cache')}
    if not (work/'source').is_dir():
        dd = DataLoaders.from_hf_dd(load_fashion_mnist(), 256, flatten=False, as_tensors=True)
        tx, ty, vx, vy = ((dd.train.x * 255).round().byte() if dd.train.x.is_floating_point() else dd.train.x), dd.train.y, dd.valid.x, dd.valid.y
        if vx.is_floating_point(): vx = (vx * 255).round().byte()
        write_classes(work/'source'/'train', tx, ty, range(5)); write_classes(work/'source'/'valid', vx, vy, range(5))
        for seed in range(10): write_classes(work/f'target{seed}'/'train', tx, ty, range(5, 10), 20, seed)
        write_classes(work/'target_valid', vx, vy, range(5, 10))
    if not (work/'source_run'/'best.pt').is_file():
        t0 = time.perf_counter()
        acc, _ = train(sys.executable, '--data', work/'source', '--model', 'resnet', '--epochs', 3, '--out', work/'source_run', env=env)
        print(f"source: valid accuracy {acc:.4f} in {time.perf_counter() - t0:.0f} s", flush=True)
    run_env = {**env, **({'PYTHONPATH': a.pythonpath} if a.pythonpath else {})}
    log = open(a.log, 'a') if a.log else None
    for seed in a.seeds:
        data = work/f'target{seed}'
        if not (data/'valid').exists(): (data/'valid').symlink_to(work/'target_valid')
        for pretrained in (True, False):
            out = work/f"{a.label or 'run'}-{seed}-{'pretrained' if pretrained else 'scratch'}"
            args = ['--data', data, '--model', 'resnet', '--epochs', 8, '--seed', seed, '--out', out, '--overwrite']
            if pretrained: args[2:4] = ['--pretrained', work/'source_run']
            acc, stdout = train(a.python, *args, env=run_env)
            said = next((l for l in stdout.splitlines() if l.startswith('pretrained ')), None)
            r = dict(label=a.label, seed=seed, pretrained=pretrained, valid_accuracy=acc, said=said)
            print(json.dumps(r), flush=True)
            if log: log.write(json.dumps(r) + '\n'); log.flush()

if __name__ == '__main__': main()
