"""Does an exponential moving average of the weights (EMAS) help the 5-epoch ResNet recipe? Raw and averaged weights, several seeds.

Run: python benchmarks/ema.py --data /path/to/data [--seeds 0 1 2] [--epochs 5] [--model resnet]
Each seed trains once (`nntrain train`'s recipe: AdamW, one-cycle, label smoothing); two EMAS subscribers with different
decays follow the same run without changing it (validate=False), and at the end the raw weights and each average are
evaluated on the official 10,000-image test set. Accuracy is reported per seed, then as mean and spread.
"""
import argparse, platform, statistics, tempfile, time
import torch
from nntrain.models import MODELS
from nntrain.runs import train_classifier
from nntrain.control import EMAS

def accuracy(model, dl, device) -> float:
    "Top-1 accuracy of `model` over the loader `dl` (eval mode, no gradients)."
    model.eval(); correct = n = 0
    with torch.no_grad():
        for xb, yb in dl:
            correct += (model(xb.to(device)).argmax(1).cpu() == yb).sum().item(); n += len(yb)
    return correct / n

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='folder with the Fashion-MNIST IDX files (default: $NNTRAIN_DATA)')
    p.add_argument('--model', default='resnet', choices=list(MODELS))
    p.add_argument('--epochs', type=int, default=5)
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--decays', type=float, nargs='+', default=[0.99, 0.999])
    args = p.parse_args()
    print(f"model {args.model}, {args.epochs} epochs, seeds {args.seeds}, {torch.get_num_threads()} threads, "
          f"{platform.machine()} {platform.processor() or ''}".strip(), flush=True)
    results = {'raw': []} | {f'ema {d}': [] for d in args.decays}
    for seed in args.seeds:
        emas = [EMAS(d, validate=False) for d in args.decays]
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as out:
            learn = train_classifier(args.data, args.model, epochs=args.epochs, seed=seed, out=out, subs=emas)
        device = next(learn.model.parameters()).device
        row = {'raw': accuracy(learn.model, learn.dls.valid, device)}
        for d, ema in zip(args.decays, emas): row[f'ema {d}'] = accuracy(ema.ema.module, learn.dls.valid, device)
        for k, v in row.items(): results[k].append(v)
        print(f"seed {seed}: " + ', '.join(f"{k} {v:.4f}" for k, v in row.items()) + f"  ({time.perf_counter() - t0:.0f}s)", flush=True)
    for k, vs in results.items():
        print(f"{k:>10}: mean {statistics.mean(vs):.4f}, std {statistics.stdev(vs) if len(vs) > 1 else 0:.4f}, "
              f"min {min(vs):.4f}, max {max(vs):.4f} over {len(vs)} seeds")

if __name__ == '__main__': main()
