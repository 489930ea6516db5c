"""Training images/s of the seed CNN and the seed ResNet, default memory format vs channels_last.

Run: python benchmarks/throughput.py [--batches 30] [--repeats 3] [--bs 256]
Synthetic 28x28 batches (throughput does not depend on pixel values); each configuration runs forward,
backward and an AdamW step on the same batches, interleaved with the others in one process, best of repeats.
"""
import argparse, time
import torch, torch.nn.functional as F
from nntrain.init import cnn_layers, init_weights
from nntrain.resnet import resnet

def train_images_per_second(model, xs, ys, memory_format):
    "Images/s over `xs` batches of full training steps."
    model = model.to(memory_format=memory_format)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    xs = [x.contiguous(memory_format=memory_format) for x in xs]
    step = lambda x, y: (F.cross_entropy(model(x), y).backward(), opt.step(), opt.zero_grad())
    step(xs[0], ys[0])                 # warm-up: first-call allocations
    t0 = time.perf_counter()
    for x, y in zip(xs, ys): step(x, y)
    return sum(len(x) for x in xs) / (time.perf_counter() - t0)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--batches', type=int, default=30)
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--bs', type=int, default=256)
    args = p.parse_args()
    torch.manual_seed(0)
    xs = [torch.randn(args.bs, 1, 28, 28) for _ in range(args.batches)]
    ys = [torch.randint(0, 10, (args.bs,)) for _ in range(args.batches)]
    models = {'seed CNN': cnn_layers, 'seed ResNet': resnet}
    formats = {'default': torch.contiguous_format, 'channels_last': torch.channels_last}
    best = {(m, f): 0. for m in models for f in formats}
    for _ in range(args.repeats):
        for m, make in models.items():
            for f, fmt in formats.items():
                torch.manual_seed(0)
                best[m, f] = max(best[m, f], train_images_per_second(make().apply(init_weights), xs, ys, fmt))
    print(f"training images/s, batch size {args.bs}, {torch.get_num_threads()} threads, best of {args.repeats} x {args.batches} batches")
    for m in models:
        d, c = best[m, 'default'], best[m, 'channels_last']
        print(f"{m:>12}: default {d:8,.0f}   channels_last {c:8,.0f}   ratio channels_last/default {c/d:.2f}x")

if __name__ == '__main__': main()
