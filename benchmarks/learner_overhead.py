"""Overhead of `Learner.fit` (with MetricsS and ProgressS) over a hand-written loop doing the same work.

Run: NNTRAIN_DATA=/path/to/data python benchmarks/learner_overhead.py [--epochs 1] [--repeats 3] [--device cuda]
Same model architecture and initial weights, same data (fast tensor loader), same optimiser and metrics
(torcheval accuracy and sample-weighted loss, train and valid). The two are interleaved in one process and
the best time of each is compared, which filters out some of the noise of a shared machine.

Because a few percent is within that noise, the script also measures the Learner's fixed cost per batch
directly, with a near-zero-compute model (a linear layer on small batches) where that cost dominates,
and relates it to the CNN's measured time per batch.
"""
import argparse, copy, io, contextlib, os, time
import torch, torch.nn.functional as F
from torch import nn
from nntrain.dataloaders import DataLoaders, TensorLoader, fashion_mnist_tensors
from nntrain.learner import Learner, MetricsS, ProgressS, DeviceS
from nntrain.models import fashion_cnn
from nntrain.subscribers import torcheval_metrics
tem = torcheval_metrics()
DEVICE = torch.device('cpu')

def sync():
    if DEVICE.type == 'cuda': torch.cuda.synchronize()

def hand_loop(model, dls, epochs, lr):
    model.to(DEVICE)
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    for epoch in range(epochs):
        for training, dl in ((True, dls.train), (False, dls.valid)):
            loss_avg, acc = tem.Mean(device=DEVICE), tem.MulticlassAccuracy(device=DEVICE)
            model.train(training)
            with torch.set_grad_enabled(training):
                for xb, yb in dl:
                    xb, yb = xb.to(DEVICE, non_blocking=True), yb.to(DEVICE, non_blocking=True)
                    preds = model(xb)
                    loss = F.cross_entropy(preds, yb)
                    if training:
                        loss.backward(); opt.step(); opt.zero_grad()
                    loss_avg.update(loss.detach(), weight=len(yb)); acc.update(preds.detach(), yb)
            print(epoch, training, loss_avg.compute().item(), acc.compute().item())

def learner_loop(model, dls, epochs, lr):
    subs = [DeviceS(DEVICE), MetricsS(accuracy=tem.MulticlassAccuracy()), ProgressS()]
    Learner(model, dls, F.cross_entropy, torch.optim.AdamW, lr, subs).fit(epochs)

def timed(f, *args):
    with contextlib.redirect_stdout(io.StringIO()):   # both print a line per phase; keep the benchmark's output clean
        sync(); t0 = time.perf_counter(); f(*args); sync(); return time.perf_counter() - t0

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='folder with the Fashion-MNIST IDX files (default: $NNTRAIN_DATA)')
    p.add_argument('--epochs', type=int, default=1)
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--bs', type=int, default=256)
    p.add_argument('--device', default='cpu', help='cpu or cuda')
    args = p.parse_args()
    global DEVICE
    DEVICE = torch.device(args.device)
    data = fashion_mnist_tensors(args.data or os.environ['NNTRAIN_DATA'])
    loaders = lambda bs, flat: DataLoaders(TensorLoader(*data['train'], bs, shuffle=True, flatten=flat), TensorLoader(*data['test'], bs * 2, flatten=flat))
    dls = loaders(args.bs, False)
    torch.manual_seed(0); init = fashion_cnn()
    times = {'hand-written loop': [], 'Learner.fit': []}
    for _ in range(args.repeats):
        for name, f in (('hand-written loop', hand_loop), ('Learner.fit', learner_loop)):
            times[name].append(timed(f, copy.deepcopy(init), dls, args.epochs, 1e-3))
    where = torch.cuda.get_device_name() if DEVICE.type == 'cuda' else f"CPU, {torch.get_num_threads()} threads"
    print(f"{args.epochs} epoch(s) of train+valid on Fashion-MNIST, batch size {args.bs}, {where}, best of {args.repeats}")
    for name, ts in times.items(): print(f"{name:>18}: {min(ts):.2f}s  (all: {', '.join(f'{t:.2f}' for t in ts)})")
    ratio = min(times['Learner.fit']) / min(times['hand-written loop'])
    print(f"Learner overhead, measured directly: {100*(ratio-1):+.1f}% (ratio {ratio:.3f})")

    # fixed cost per batch: a linear model on batches of 64, where the loop's own work dominates
    small = loaders(64, True)
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
