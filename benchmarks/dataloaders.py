"""Images/s of the per-item collate path vs the tensor path over the full Fashion-MNIST training set.

Run: NNTRAIN_DATA=/path/to/data python benchmarks/dataloaders.py [--bs 1024] [--epochs 2]
Both paths run side by side in one process; the ratio is what to compare (absolute speeds vary by machine).
"""
import argparse, time
from nntrain.dataloaders import DataLoaders, load_fashion_mnist

def images_per_second(dl, epochs):
    "Best images/s over `epochs` full passes of `dl` (the best pass is the least disturbed by other load)."
    best = 0.
    for _ in range(epochs):
        t0 = time.perf_counter()
        n = sum(len(xb) for xb, _ in dl)
        best = max(best, n / (time.perf_counter() - t0))
    return best

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='folder with the Fashion-MNIST IDX files (default: $NNTRAIN_DATA)')
    p.add_argument('--bs', type=int, default=1024)
    p.add_argument('--epochs', type=int, default=2)
    args = p.parse_args()
    dd = load_fashion_mnist(args.data)
    slow = DataLoaders.from_hf_dd(dd, args.bs, flatten=False)
    t0 = time.perf_counter()
    fast = DataLoaders.from_hf_dd(dd, args.bs, flatten=False, as_tensors=True)
    setup = time.perf_counter() - t0
    slow_ips, fast_ips = images_per_second(slow.train, args.epochs), images_per_second(fast.train, args.epochs)
    n = len(dd['train'])
    print(f"training set: {n} images, batch size {args.bs}, best of {args.epochs} epochs")
    print(f"collate path (PIL per item): {slow_ips:12,.0f} images/s  ({n/slow_ips:.2f} s/epoch)")
    print(f"tensor path (one index/batch): {fast_ips:10,.0f} images/s  ({n/fast_ips:.3f} s/epoch; one-time decode of both splits {setup:.1f} s)")
    print(f"ratio tensor/collate: {fast_ips/slow_ips:.1f}x")
    print(f"ratio over one epoch counting the one-time decode: {(n/slow_ips)/(n/fast_ips + setup):.2f}x")

if __name__ == '__main__': main()
