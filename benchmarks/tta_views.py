"""Which test-time views pay for a model trained a given way: one seeded 5-epoch run of the wide ResNet (bfloat16 + compile), then
the test accuracy of the plain images, of each view alone (mirror, shifts of one pixel), and of averages of them.

    python benchmarks/tta_views.py --seed 0 --augment flip     # trained on mirror images (the speed5 recipe)
    python benchmarks/tta_views.py --seed 0 --augment none     # trained on the plain images only
"""
import argparse, os, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
import tempfile, torch
import torch.nn.functional as F
from speedrun import ClockS, processor
from nntrain.runs import train_classifier
from nntrain.augmentation import AugmentS, RandomFlip, RandomCrop

def shift(dx: int, dy: int):
    "A view moved `dx` pixels right and `dy` down, the uncovered border black."
    return lambda x: torch.roll(F.pad(x, (1, 1, 1, 1)), (dy, dx), (-2, -1))[..., 1:-1, 1:-1]

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=os.environ.get('NNTRAIN_DATA'))
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--epochs', type=int, default=5)
    p.add_argument('--augment', choices=['none', 'flip', 'flipcrop1', 'crop1'], default='flip')
    args = p.parse_args()
    print(f"processor: {processor()}; torch {torch.__version__}; augment {args.augment}, seed {args.seed}", flush=True)
    aug = {'none': [], 'flip': [RandomFlip()], 'flipcrop1': [RandomFlip(), RandomCrop(padding=1)], 'crop1': [RandomCrop(padding=1)]}[args.augment]
    t0 = time.perf_counter(); clock = ClockS(t0)
    with tempfile.TemporaryDirectory() as out:
        learn = train_classifier(args.data, 'resnet-wide', epochs=args.epochs, seed=args.seed, out=out, mixed_precision=True, compile=True,
                                 subs=[clock] + ([AugmentS(torch.nn.Sequential(*aug))] if aug else []))
    accs = [r['accuracy'] for r in learn.history if r['phase'] == 'valid']
    print('per epoch', [f'{a:.4f}@{t:.0f}s' for a, t in zip(accs, clock.epoch_ends)], flush=True)
    plain, targets = learn.get_preds(); plain = plain.float().softmax(-1)
    def view(transform):   # tta averages the plain pass and one transformed pass: solve for the transformed one
        avg, _ = learn.tta(n=1, transform=transform)
        return 2 * avg - plain
    acc = lambda probs: (probs.argmax(-1) == targets).float().mean().item()
    views = {'flip': lambda x: x.flip(-1), 'right': shift(1, 0), 'left': shift(-1, 0), 'down': shift(0, 1), 'up': shift(0, -1)}
    got = {k: view(v) for k, v in views.items()}
    print(f"plain {acc(plain):.4f}", {k: round(acc(v), 4) for k, v in got.items()})
    shifts = sum(got[k] for k in ('right', 'left', 'down', 'up'))
    print(f"TTA plain+flip {acc(plain + got['flip']):.4f}; plain+4 shifts {acc(plain + shifts):.4f}; "
          f"plain+left+right {acc(plain + got['left'] + got['right']):.4f}; all {acc(plain + sum(got.values())):.4f}")

if __name__ == '__main__': main()
