"""Small data, first try (issue 37): `nntrain train --data D` with nothing else, against scikit-learn baselines on the same split.

Each case is written as an image-folder tree with `train/` and `valid/` folders, so nntrain and the baselines see the same
images; the baselines (an RBF support-vector classifier and logistic regression, scikit-learn's defaults) read the same
pixels scaled to 0..1. The accuracy reported for nntrain is the last epoch's validation accuracy (no choice of epoch on
the validation images). Each seed draws its own split (and its own patches).

Cases:
- digits8:  scikit-learn's 1,797 handwritten digits, 8x8 grey, stratified 80/20;
- digits32: the same digits scaled up to 32x32 (bilinear);
- patches:  32x32 colour patches cut at random from six photos (scikit-image's astronaut, chelsea, coffee, hubble deep field,
            ihc, rocket), the class being the photo: 13 training and 50 validation patches per photo.

    pip install scikit-learn scikit-image      # for the baselines and the photos only
    python benchmarks/small_data.py --seeds 0 1 2 --log benchmarks/logs/small_data.jsonl --label "defaults"
    python benchmarks/small_data.py --seeds 0 1 2 --label "old defaults" -- --bs 256 --epochs 5

Options after `--` go to `nntrain train` unchanged.
"""
import argparse, csv, json, statistics, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
from PIL import Image
sys.path.insert(0, str(Path(__file__).parent))
from folders import processor

PHOTOS = ('astronaut', 'chelsea', 'coffee', 'hubble_deep_field', 'immunohistochemistry', 'rocket')

def digits(side: int):
    "scikit-learn's digits as uint8 images of `side` x `side`, and their labels."
    from sklearn.datasets import load_digits
    d = load_digits()
    imgs = (d.images * (255 / 16)).round().astype(np.uint8)
    if side != 8: imgs = np.stack([np.asarray(Image.fromarray(im).resize((side, side), Image.BILINEAR)) for im in imgs])
    return imgs, d.target

def patches(seed: int, per_class: int=63, side: int=32):
    "`per_class` random `side` x `side` colour patches of each photo, and the photo's number as their label."
    import skimage.data
    rng, imgs, labels = np.random.default_rng(seed), [], []
    for label, name in enumerate(PHOTOS):
        photo = getattr(skimage.data, name)()[..., :3]
        for _ in range(per_class):
            r, c = rng.integers(0, photo.shape[0] - side), rng.integers(0, photo.shape[1] - side)
            imgs.append(photo[r:r + side, c:c + side]); labels.append(label)
    return np.stack(imgs), np.array(labels)

def split(case: str, seed: int):
    "(train images, train labels, valid images, valid labels) of `case` for `seed`."
    from sklearn.model_selection import train_test_split
    if case == 'patches':
        x, y = patches(seed)
        return train_test_split(x, y, train_size=13 * len(PHOTOS), stratify=y, random_state=seed)
    x, y = digits(8 if case == 'digits8' else 32)
    return train_test_split(x, y, test_size=0.2, stratify=y, random_state=seed)

def write_tree(root: Path, xt, yt, xv, yv):
    "The split as PNG files: root/train/<label>/i.png and root/valid/<label>/i.png."
    for part, xs, ys in (('train', xt, yt), ('valid', xv, yv)):
        for i, (im, label) in enumerate(zip(xs, ys)):
            (root/part/str(label)).mkdir(parents=True, exist_ok=True)
            Image.fromarray(im).save(root/part/str(label)/f'{i}.png')

def baselines(xt, yt, xv, yv) -> dict:
    "Validation accuracy of scikit-learn's SVC and logistic regression on pixels scaled to 0..1."
    from sklearn.svm import SVC
    from sklearn.linear_model import LogisticRegression
    flat = lambda x: x.reshape(len(x), -1) / 255.
    return {'svc': SVC().fit(flat(xt), yt).score(flat(xv), yv),
            'logistic': LogisticRegression(max_iter=5000).fit(flat(xt), yt).score(flat(xv), yv)}

def run_nntrain(tree: Path, out: Path, seed: int, extra: list[str]) -> dict:
    "Train with `nntrain train --data tree` and `extra`: the last epoch's validation accuracy, epochs, wall time and what it printed."
    t0 = time.perf_counter()
    res = subprocess.run(['nntrain', 'train', '--data', str(tree), '--out', str(out), '--seed', str(seed), *extra],
                         capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if res.returncode: raise SystemExit(f"nntrain train failed:\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}")
    rows = [r for r in csv.DictReader(open(out/'history.csv')) if r['phase'] == 'valid']
    notes = [l for l in (res.stdout + res.stderr).splitlines() if not l.startswith('epoch ')]
    return {'accuracy': float(rows[-1]['accuracy']), 'epochs': len(rows), 'wall_s': round(wall, 1), 'printed': notes}

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--cases', nargs='+', default=['digits8', 'digits32', 'patches'])
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    p.add_argument('--label', default='defaults', help="what this run measures, written in the log")
    p.add_argument('--log', help="append one JSON line per case and seed to this file")
    p.add_argument('extra', nargs='*', help="options for nntrain train (after --)")
    args = p.parse_args()
    print(f"processor: {processor()}; nntrain train options: {' '.join(args.extra) or '(none)'}", flush=True)
    for case in args.cases:
        accs, svcs, walls = [], [], []
        for seed in args.seeds:
            with tempfile.TemporaryDirectory() as tmp:
                xt, xv, yt, yv = split(case, seed)
                write_tree(Path(tmp)/'data', xt, yt, xv, yv)
                base = baselines(xt, yt, xv, yv)
                got = run_nntrain(Path(tmp)/'data', Path(tmp)/'run', seed, args.extra)
            row = dict(case=case, seed=seed, label=args.label, options=args.extra, train=len(yt), valid=len(yv), **base, **got,
                       processor=processor())
            accs.append(got['accuracy']); svcs.append(base['svc']); walls.append(got['wall_s'])
            print(f"{case} seed {seed}: nntrain {got['accuracy']:.2%} ({got['epochs']} epochs, {got['wall_s']}s)  "
                  f"SVC {base['svc']:.2%}  logistic {base['logistic']:.2%}", flush=True)
            for line in got['printed']: print('   ', line)
            if args.log:
                with open(args.log, 'a') as f: f.write(json.dumps(row) + '\n')
        sd = lambda v: statistics.stdev(v) if len(v) > 1 else 0.
        print(f"{case}: nntrain {statistics.mean(accs):.2%} ± {sd(accs):.2%}, SVC {statistics.mean(svcs):.2%} ± {sd(svcs):.2%}, "
              f"mean wall {statistics.mean(walls):.0f}s ({len(accs)} seeds)", flush=True)

if __name__ == '__main__': main()
