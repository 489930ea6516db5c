"""Transfer that beats training from scratch (issue 32): which layers of a pretrained ResNet to reuse, and how to train them.

Two sources, both notebook 06's ResNet (the `resnet` model):
- related:   Fashion-MNIST classes 0-4 (T-shirt, trouser, pullover, dress, coat; 30,000 images, 5 epochs);
- unrelated: scikit-learn's 1,797 handwritten digits, scaled up to 28x28, all ten classes (sized as `nntrain train` sizes them).

Target: Fashion-MNIST classes 5-9 (sandal, shirt, sneaker, bag, ankle boot) with 10, 20 or 100 training images per class,
drawn by the seed; scored on their 5,000 test images with the last epoch's weights. Every run is trained as `nntrain train`
trains it: batch size and epochs sized to the data (`size_to_data`), AdamW, one-cycle at 1e-2, label smoothing 0.1; the
same seed draws the same images and starts the same fresh layers for every method.

    pip install scikit-learn        # the digits only
    NNTRAIN_DATA=../shared/data python benchmarks/transfer.py --seeds 0 1 2 3 4 --log benchmarks/logs/transfer.jsonl
"""
import argparse, json, statistics, sys, time
from functools import partial
from pathlib import Path
import numpy as np
import torch
import torch.nn.functional as F
from torch.optim.lr_scheduler import OneCycleLR
sys.path.insert(0, str(Path(__file__).parent))
from folders import processor
from nntrain.dataloaders import DataLoaders, TensorLoader, load_fashion_mnist
from nntrain.learner import Learner, MetricsS, SchedulerS, FreezeBodyS, set_seed
from nntrain.groups import lower_stages
from nntrain.checkpoint import transfer_weights
from nntrain.models import build_model
from nntrain.runs import size_to_data

# method: (share of the body's stages reused, epochs on the head alone, the head's rate over the reused layers')
METHODS = {'scratch': None,
           'whole body, x100 (old default)': (1, 1, 100),
           'whole body, one rate': (1, 1, 1),
           'lower 2/3, one rate': (2/3, 1, 1),
           'lower 1/3, one rate': (1/3, 1, 1)}

def subset(x, y, classes, per_class=None, seed=0):
    "The images of `classes` (relabelled 0..k-1), at most `per_class` of each, drawn with `seed`."
    g, keep = torch.Generator().manual_seed(seed), []
    for c in classes:
        idx = (y == c).nonzero().flatten()
        keep.append(idx[torch.randperm(len(idx), generator=g)[:per_class]] if per_class else idx)
    idx = torch.cat(keep).sort().values
    return x[idx], (y[idx] - min(classes)).clone()

def digits28():
    "scikit-learn's digits as 28x28 uint8 images (bilinear), and their labels."
    from sklearn.datasets import load_digits
    from PIL import Image
    d = load_digits()
    imgs = (d.images * (255 / 16)).round().astype(np.uint8)
    imgs = np.stack([np.asarray(Image.fromarray(im).resize((28, 28), Image.BILINEAR)) for im in imgs])
    return torch.from_numpy(imgs)[:, None], torch.from_numpy(d.target)

def learner(model, x, y, bs, vx, vy, subs=()):
    dls = DataLoaders(TensorLoader(x, y, bs, shuffle=True), TensorLoader(vx, vy, 512))
    return Learner(model, dls, partial(F.cross_entropy, label_smoothing=0.1), torch.optim.AdamW, 1e-2,
                   [SchedulerS(partial(OneCycleLR, max_lr=1e-2)), *subs])

def accuracy(learn) -> float:
    preds, targets = learn.get_preds()
    return (preds.argmax(-1) == targets).float().mean().item()

def train_source(x, y, vx, vy, epochs=None, seed=0):
    "The ResNet trained on (x, y) as nntrain train would (epochs sized unless given); its weights and validation accuracy."
    bs, epochs = size_to_data(len(y), epochs=epochs)
    set_seed(seed)
    learn = learner(build_model('resnet', 1, int(y.max()) + 1), x, y, bs, vx, vy, [MetricsS(show=False)])
    learn.fit(epochs, valid=False)
    return {k: v.clone() for k, v in learn.model.state_dict().items()}, accuracy(learn), bs, epochs

def target_run(method, state, x, y, vx, vy, seed):
    "Test accuracy on classes 5-9 of one method, trained on (x, y)."
    bs, epochs = size_to_data(len(y))
    set_seed(seed)
    model = build_model('resnet', 1, 5)
    if METHODS[method] is None:
        learn = learner(model, x, y, bs, vx, vy); learn.fit(epochs, valid=False)
    else:
        share, freeze, mult = METHODS[method]
        splitter = lower_stages(share)
        transfer_weights(model, state, splitter)
        learn = learner(model, x, y, bs, vx, vy, [FreezeBodyS(freeze)] if freeze else [])
        learn.splitter = splitter
        learn.fit(epochs, valid=False, lr=slice(1e-2 / mult, 1e-2))
    return accuracy(learn), bs, epochs

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    p.add_argument('--per_class', type=int, nargs='+', default=[10, 20, 100])
    p.add_argument('--methods', nargs='+', default=list(METHODS))
    p.add_argument('--sources', nargs='+', default=['fashion 0-4', 'digits'])
    p.add_argument('--log', default=None)
    a = p.parse_args()
    log = open(a.log, 'a') if a.log else None
    def record(**r):
        print(json.dumps(r), flush=True)
        if log: log.write(json.dumps(r) + '\n'); log.flush()
    dd = DataLoaders.from_hf_dd(load_fashion_mnist(), 256, flatten=False, as_tensors=True)
    tx, ty = dd.train.x, dd.train.y
    test_x, test_y = subset(dd.valid.x, dd.valid.y, range(5, 10))
    record(kind='setup', processor=processor(), torch=torch.__version__, methods={k: v for k, v in METHODS.items()})
    sources = {}
    for name in a.sources:
        t0 = time.perf_counter()
        if name == 'fashion 0-4':
            sx, sy = subset(tx, ty, range(5)); vx, vy = subset(dd.valid.x, dd.valid.y, range(5))
            state, acc, bs, epochs = train_source(sx, sy, vx, vy, epochs=5)
        else:
            dx, dy = digits28()
            g = torch.Generator().manual_seed(0); perm = torch.randperm(len(dy), generator=g)
            cut = int(0.8 * len(dy))   # the source's own accuracy on a fifth it did not train on
            state, acc, bs, epochs = train_source(dx[perm[:cut]], dy[perm[:cut]], dx[perm[cut:]], dy[perm[cut:]])
        sources[name] = state
        record(kind='source', source=name, valid_accuracy=acc, bs=bs, epochs=epochs, seconds=round(time.perf_counter() - t0, 1))
    for n in a.per_class:
        for seed in a.seeds:
            x, y = subset(tx, ty, range(5, 10), n, seed)
            for method in a.methods:
                for source in ([None] if METHODS[method] is None else a.sources):
                    t0 = time.perf_counter()
                    acc, bs, epochs = target_run(method, sources.get(source), x, y, test_x, test_y, seed)
                    record(kind='target', method=method, source=source, per_class=n, seed=seed, accuracy=acc, bs=bs, epochs=epochs,
                           seconds=round(time.perf_counter() - t0, 1))

if __name__ == '__main__': main()
