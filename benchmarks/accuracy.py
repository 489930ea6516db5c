"""Train a model on Fashion-MNIST with a fixed seed; print test accuracy, parameters, MACs and wall time.

Run: python benchmarks/accuracy.py --data /path/to/data --epochs 5 --model resnet
     python benchmarks/accuracy.py --model resnet-wide --epochs 20 --augment --tta
It runs exactly the recipe of `nntrain train` (nntrain.runs.train_classifier), so its figures are the command's.
Test accuracy is on the official 10,000-image Fashion-MNIST test set.
"""
import argparse, platform, tempfile, time
import torch
from nntrain.models import MODELS
from nntrain.runs import train_classifier
from nntrain.resnet import summary
from nntrain.learner import set_seed
from nntrain.augmentation import default_tta_transform

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='folder with the Fashion-MNIST IDX files (default: $NNTRAIN_DATA)')
    p.add_argument('--model', default='resnet', choices=list(MODELS))
    p.add_argument('--epochs', type=int, default=5)
    p.add_argument('--seed', type=int, default=42)
    p.add_argument('--augment', action='store_true', help="augment training batches (nntrain train --augment)")
    p.add_argument('--warp', action='store_true', help="add random rotation and zoom (nntrain train --warp)")
    p.add_argument('--tta', action='store_true', help="also report test-time augmentation (learn.tta, n=4)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        learn = train_classifier(args.data, args.model, epochs=args.epochs, seed=args.seed, out=out, augment=args.augment, warp=args.warp)
        wall = time.perf_counter() - t0
    if args.tta:
        set_seed(args.seed)
        probs, targets = learn.tta(n=4, transform=default_tta_transform())
        tta_acc = (probs.argmax(-1) == targets).float().mean().item()
    s = summary(learn.model, torch.zeros(2, 1, 28, 28, device=next(learn.model.parameters()).device))
    acc = [r['accuracy'] for r in learn.history if r['phase'] == 'valid']
    aug = 'warp' if args.warp else 'augment' if args.augment else 'no augmentation'
    print(f"model {args.model}, {aug}, {args.epochs} epochs, seed {args.seed}, {torch.get_num_threads()} threads, {platform.machine()} {platform.processor() or ''}".strip())
    print(f"test accuracy {acc[-1]:.4f} (best epoch {max(acc):.4f}), {s.total_params:,} parameters, {s.total_macs/1e6:.2f}M MACs per image, "
          f"wall time {wall:.0f}s ({wall/args.epochs:.0f}s per epoch, data loading included)")
    if args.tta: print(f"test accuracy with TTA (original + 4 flip/shift passes): {tta_acc:.4f}")

if __name__ == '__main__': main()
