"""Image folders: nntrain's folder path against torchvision's ImageFolder, and the PNG tree's accuracy against the IDX run.

    NNTRAIN_DATA=/path/to/data python benchmarks/folders.py [--epochs 3]            # speed
    NNTRAIN_DATA=/path/to/data python benchmarks/folders.py --accuracy [--seeds 0 1 2] # accuracy, IDX vs PNG tree

Speed: Fashion-MNIST written as 70,000 PNG files (tools/write_png_tree.py), the training images read by both paths
side by side in one process: nntrain's `load_image_folder` (decode once into a cached tensor, then batches by indexing)
and torchvision's `ImageFolder` with a `DataLoader` (2 workers), both resizing to 28x28 and normalising with the same
mean and std. Ratios are what to compare; absolute speeds depend on the machine.
Accuracy: `train_classifier` on the IDX files and on the PNG tree, same model, seed and epochs, for each seed.
"""
import argparse, os, platform, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parents[1]

def processor() -> str:
    "The processor's name and vector extensions (the figures differ about 2x between the AVX-512 and AVX2 machines)."
    info = Path('/proc/cpuinfo').read_text() if Path('/proc/cpuinfo').exists() else ''
    name = next((l.split(':', 1)[1].strip() for l in info.splitlines() if l.startswith('model name')), platform.processor())
    isa = 'AVX-512' if 'avx512f' in info else 'AVX2' if 'avx2' in info else 'no AVX2'
    used = torch.backends.cpu.get_cpu_capability()   # what torch uses: ATEN_CPU_CAPABILITY can hold it below the hardware
    if isa == 'AVX-512' and used != 'AVX512': isa += f" (torch held to {used})"
    return f"{name}, {isa}, {torch.get_num_threads()} threads"

def write_tree(data, out):
    subprocess.run([sys.executable, str(ROOT/'tools'/'write_png_tree.py'), '--data', str(data), '--out', str(out)], check=True)

def epoch_ips(batches, norm=None) -> tuple[float, int]:
    "Images/s of one pass over `batches` (normalising each batch with `norm`, as a model's first layer would)."
    t0, n = time.perf_counter(), 0
    for xb, yb in batches:
        if norm: xb = (xb - norm[0]) / norm[1]
        n += len(xb)
    return n / (time.perf_counter() - t0), n

def speed(args, tree):
    from torchvision import datasets, transforms
    from PIL import Image
    from nntrain.folders import load_image_folder
    cache = Path(tempfile.mkdtemp()); os.environ['NNTRAIN_CACHE'] = str(cache)
    try:
        t0 = time.perf_counter()
        dls = load_image_folder(tree, args.bs, log=None)
        load_s = time.perf_counter() - t0
        norm = (torch.tensor(dls.mean).view(1, -1, 1, 1), torch.tensor(dls.std).view(1, -1, 1, 1))
        n_train = len(dls.train.y)
        first_ips, _ = epoch_ips(dls.train, norm)
        first_epoch_s = load_s + n_train / first_ips
        later = [epoch_ips(dls.train, norm)[0] for _ in range(args.epochs)]
        t0 = time.perf_counter(); load_image_folder(tree, args.bs, log=None); hit_s = time.perf_counter() - t0
    finally: shutil.rmtree(cache, ignore_errors=True)

    tf = transforms.Compose([transforms.Resize(28), transforms.CenterCrop(28), transforms.ToTensor(),
                             transforms.Normalize(dls.mean, dls.std)])
    ds = datasets.ImageFolder(str(tree/'train'), transform=tf, loader=lambda p: Image.open(p).convert('L'))
    dl = torch.utils.data.DataLoader(ds, args.bs, shuffle=True, num_workers=2)
    tv = [epoch_ips(dl)[0] for _ in range(args.epochs)]
    tv_best, later_best = max(tv), max(later)
    print(f"processor: {processor()}")
    print(f"training images: {n_train:,} PNG files, 28x28 grey, batch size {args.bs}; best of {args.epochs} epochs where repeated")
    print(f"torchvision ImageFolder + DataLoader (2 workers): {tv_best:10,.0f} images/s  ({n_train / tv_best:.1f} s/epoch)")
    print(f"nntrain, first run, first epoch (scan, decode all 70,000 files, write the cache, one pass): "
          f"{first_epoch_s:.1f} s = {n_train / first_epoch_s:,.0f} images/s  (of which loading {load_s:.1f} s)")
    print(f"nntrain, later epochs (from the tensor):         {later_best:10,.0f} images/s  ({n_train / later_best:.3f} s/epoch)")
    print(f"nntrain, a later run's load (cache hit):          {hit_s:.2f} s")
    print(f"ratio nntrain/ImageFolder, first epoch with decoding: {(n_train / first_epoch_s) / tv_best:.2f}x")
    print(f"ratio nntrain/ImageFolder, later epochs:              {later_best / tv_best:.0f}x")

def accuracy(args, tree):
    from nntrain.runs import train_classifier
    rows = []
    for seed in args.seeds:
        accs = {}
        for name, data in (('IDX', args.data), ('PNG tree', tree)):
            out = Path(tempfile.mkdtemp())
            t0 = time.perf_counter()
            learn = train_classifier(data, args.model, epochs=args.epochs, seed=seed, out=out)
            last = [r['accuracy'] for r in learn.history if r['phase'] == 'valid'][-1]
            print(f"seed {seed} {name:8s}: last-epoch accuracy {last:.4f}  ({time.perf_counter() - t0:.0f} s)", flush=True)
            accs[name] = last
            shutil.rmtree(out)
        rows.append(accs)
    print(f"processor: {processor()}")
    print(f"model {args.model}, {args.epochs} epochs, seeds {args.seeds}; accuracy on the official 10,000 test images (last epoch)")
    for name in ('IDX', 'PNG tree'):
        v = [r[name] for r in rows]
        print(f"{name:8s}: {100 * statistics.mean(v):.2f}% ± {100 * statistics.stdev(v):.2f}  ({', '.join(f'{100 * a:.2f}' for a in v)})")
    d = [r['PNG tree'] - r['IDX'] for r in rows]
    print(f"PNG tree - IDX: {100 * statistics.mean(d):+.2f} points (per seed {', '.join(f'{100 * x:+.2f}' for x in d)})")

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=os.environ.get('NNTRAIN_DATA'), help='folder with the Fashion-MNIST IDX files (default: $NNTRAIN_DATA)')
    p.add_argument('--tree', default=None, help='an existing PNG tree from tools/write_png_tree.py (default: write one to a temporary folder)')
    p.add_argument('--bs', type=int, default=256)
    p.add_argument('--epochs', type=int, default=None, help='speed: epochs per path (default 3); accuracy: training epochs (default 5)')
    p.add_argument('--accuracy', action='store_true', help='compare accuracy of the IDX run and the PNG-tree run')
    p.add_argument('--model', default='cnn')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    args = p.parse_args()
    if args.data is None and (args.accuracy or not args.tree): p.error('give --data or set NNTRAIN_DATA')
    args.epochs = args.epochs or (5 if args.accuracy else 3)
    tmp = None
    if args.tree: tree = Path(args.tree)
    else: tmp = Path(tempfile.mkdtemp()); tree = tmp/'fashion_mnist_png'; write_tree(args.data, tree)
    try: (accuracy if args.accuracy else speed)(args, tree)
    finally:
        if tmp: shutil.rmtree(tmp, ignore_errors=True)

if __name__ == '__main__': main()
