"""Overhead of `Learner.fit` (with MetricsS and ProgressS) over a hand-written loop doing the same work.

Run: NNTRAIN_DATA=/path/to/data python benchmarks/learner_overhead.py [--epochs 1] [--repeats 3]
Same model architecture and initial weights, same data (fast tensor loader), same optimiser and metrics
(torcheval accuracy and sample-weighted loss, train and valid). The two are interleaved in one process and
the best time of each is compared, which filters out some of the noise of a shared machine.

Because a few percent is within that noise, the script also measures the Learner's fixed cost per batch
directly, with a near-zero-compute model (a linear layer on small batches) where that cost dominates,
and relates it to the CNN's measured time per batch.
"""
import argparse, copy, io, contextlib, time
import torch, torch.nn.functional as F
from torch import nn
from nntrain.dataloaders import DataLoaders, load_fashion_mnist
from nntrain.learner import Learner, MetricsS, ProgressS
from nntrain.models import fashion_cnn
import torcheval.metrics as tem

def hand_loop(model, dls, epochs, lr):
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    for epoch in range(epochs):
        for training, dl in ((True, dls.train), (False, dls.valid)):
            loss_avg, acc = tem.Mean(), tem.MulticlassAccuracy()
            model.train(training)
            with torch.set_grad_enabled(training):
                for xb, yb in dl:
                    preds = model(xb)
                    loss = F.cross_entropy(preds, yb)
                    if training:
                        loss.backward(); opt.step(); opt.zero_grad()
                    loss_avg.update(loss.detach(), weight=len(yb)); acc.update(preds.detach(), yb)
            print(epoch, training, loss_avg.compute().item(), acc.compute().item())

def learner_loop(model, dls, epochs, lr):
    subs = [MetricsS(accuracy=tem.MulticlassAccuracy()), ProgressS()]
    Learner(model, dls, F.cross_entropy, torch.optim.AdamW, lr, subs).fit(epochs)

def timed(f, *args):
    with contextlib.redirect_stdout(io.StringIO()):   # both print a line per phase; keep the benchmark's output clean
        t0 = time.perf_counter(); f(*args); return time.perf_counter() - t0

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='folder with the Fashion-MNIST IDX files (default: $NNTRAIN_DATA)')
    p.add_argument('--epochs', type=int, default=1)
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--bs', type=int, default=256)
    args = p.parse_args()
    dls = DataLoaders.from_hf_dd(load_fashion_mnist(args.data), args.bs, flatten=False, as_tensors=True)
    torch.manual_seed(0); init = fashion_cnn()
    times = {'hand-written loop': [], 'Learner.fit': []}
    for _ in range(args.repeats):
        for name, f in (('hand-written loop', hand_loop), ('Learner.fit', learner_loop)):
            times[name].append(timed(f, copy.deepcopy(init), dls, args.epochs, 1e-3))
    print(f"{args.epochs} epoch(s) of train+valid on Fashion-MNIST, batch size {args.bs}, {torch.get_num_threads()} threads, best of {args.repeats}")
    for name, ts in times.items(): print(f"{name:>18}: {min(ts):.2f}s  (all: {', '.join(f'{t:.2f}' for t in ts)})")
    ratio = min(times['Learner.fit']) / min(times['hand-written loop'])
    print(f"Learner overhead, measured directly: {100*(ratio-1):+.1f}% (ratio {ratio:.3f})")

    # fixed cost per batch: a linear model on batches of 64, where the loop's own work dominates
    small = DataLoaders.from_hf_dd(load_fashion_mnist(args.data), 64, flatten=True, as_tensors=True)
    n_batches = args.epochs * (len(small.train) + len(small.valid))
    torch.manual_seed(0); lin = nn.Linear(784, 10)
    tiny = {'hand-written loop': [], 'Learner.fit': []}
    for _ in range(args.repeats):
        for name, f in (('hand-written loop', hand_loop), ('Learner.fit', learner_loop)):
            tiny[name].append(timed(f, copy.deepcopy(lin), small, args.epochs, 1e-3))
    per_batch = (min(tiny['Learner.fit']) - min(tiny['hand-written loop'])) / n_batches
    cnn_batch = min(times['hand-written loop']) / (args.epochs * (len(dls.train) + len(dls.valid)))
    print(f"fixed cost per batch (linear model, {n_batches} batches of 64): hand {1e6*min(tiny['hand-written loop'])/n_batches:.0f} us, "
          f"Learner {1e6*min(tiny['Learner.fit'])/n_batches:.0f} us, difference {1e6*per_batch:.0f} us")
    print(f"CNN time per batch: {1e3*cnn_batch:.1f} ms, so the Learner's fixed cost is {100*per_batch/cnn_batch:.1f}% of it")

if __name__ == '__main__': main()
