"""Training speed of the ResNet on Fashion-MNIST with each acceleration option against plain float32 eager, in one run.

Run: python benchmarks/accel.py --data /path/to/data   (default: $NNTRAIN_DATA)
Compares, on the same batches: channels_last, bfloat16 autocast (MixedPrecisionS), torch.compile (CompileS; its
compilation time is reported apart from its steady-state speed), and 2 data-parallel processes (torchrun, gloo,
127.0.0.1) against 1. Rounds alternate between the options and the median of each is kept (this machine is noisy).
"""
import argparse, os, platform, statistics, subprocess, sys, time
import torch
import torch.nn.functional as F
from nntrain.dataloaders import DataLoaders, TensorLoader, load_fashion_mnist, hf_ds_to_tensors
from nntrain.learner import Learner, DeviceS, process_rank, world_size
from nntrain.accel import MixedPrecisionS, CompileS, DDPS, torchrun_command
from nntrain.models import fashion_resnet

BS = 256

def loaders(x, y, bs=BS): return DataLoaders(TensorLoader(x, y, bs), None)

def timed_fit(model, subs, x, y, bs=BS) -> float:
    "Seconds for one training epoch over `x`."
    learn = Learner(model, loaders(x, y, bs), F.cross_entropy, torch.optim.AdamW, 1e-3, subs)
    t0 = time.perf_counter(); learn.fit(1, valid=False); return time.perf_counter() - t0

def worker(n_images: int, rounds: int):
    "One of the torchrun processes: train on its shard, rank 0 prints the images per second of the whole group."
    x, y = hf_ds_to_tensors(load_fashion_mnist()['train'].select(range(n_images)))
    torch.manual_seed(0)
    model, ddp = fashion_resnet(), DDPS(seed=0)
    times = []
    for r in range(rounds + 1):   # the first round warms up
        torch.distributed.barrier()
        t = timed_fit(model, [DeviceS('cpu'), ddp], x, y, bs=BS // world_size())
        if r: times.append(t)
    if process_rank() == 0: print(f"RESULT {n_images / statistics.median(times):.1f}", flush=True)
    torch.distributed.destroy_process_group()

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='folder with the Fashion-MNIST IDX files (default: $NNTRAIN_DATA)')
    p.add_argument('--images', type=int, default=BS * 20, help='training images per timed epoch')
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--worker', action='store_true', help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.data: os.environ['NNTRAIN_DATA'] = args.data
    if args.worker: return worker(args.images, args.rounds)

    x, y = hf_ds_to_tensors(load_fashion_mnist()['train'].select(range(args.images)))
    options = {'fp32 eager (baseline)': lambda: [DeviceS('cpu')],
               'channels_last': lambda: [DeviceS('cpu', memory_format=torch.channels_last)],
               'bfloat16 autocast': lambda: [DeviceS('cpu'), MixedPrecisionS()],
               'torch.compile': lambda: [DeviceS('cpu'), CompileS()]}
    torch.manual_seed(0)
    models = {k: fashion_resnet() for k in options}
    first = {k: timed_fit(models[k], options[k](), x[:BS * 4], y[:BS * 4]) for k in options}   # warm-up (and compilation)
    times = {k: [] for k in options}
    for _ in range(args.rounds):
        for k in options: times[k].append(timed_fit(models[k], options[k](), x, y))
    speed = {k: args.images / statistics.median(v) for k, v in times.items()}

    cmd, env = torchrun_command(2, [__file__, '--worker', '--images', str(args.images), '--rounds', str(args.rounds)])
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    line = next((l for l in res.stdout.splitlines() if l.startswith('RESULT ')), None)
    if line is None: sys.exit(f"the 2-process run failed:\n{res.stderr[-3000:]}")
    speed['2 processes (DDP, gloo)'] = float(line.split()[1])

    base = speed['fp32 eager (baseline)']
    print(f"ResNet training, batch {BS}, {args.images} images per timed epoch, median of {args.rounds} rounds; "
          f"{torch.get_num_threads()} threads, {os.cpu_count()} CPUs, {platform.machine()}, torch {torch.__version__}")
    for k, v in speed.items(): print(f"{k:28s} {v:8.0f} images/s   {v / base:5.2f}x")
    steady = statistics.median(times['torch.compile']) * BS * 4 / args.images   # the same 4 batches at steady speed
    print(f"torch.compile: the first 4 batches took {first['torch.compile']:.1f} s (eager: {first['fp32 eager (baseline)']:.1f} s), "
          f"about {first['torch.compile'] - steady:.0f} s of it compilation")

if __name__ == '__main__': main()
