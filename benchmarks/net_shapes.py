"""Which network shapes use a 2-core CPU well (issue 21): training-step time, multiply-adds and FLOP/s, side by side.

Each candidate trains on the same random batch of 28x28 images (batch 256, channels_last, AdamW) for a few steps after
a warm-up, in this one process, so the ratios between them hold even when the machine's speed drifts. The rate is
multiply-adds per image (`summary`) x 6 x images per second, as in `speedrun.py`. Random data is enough: a step costs the
same whatever the pixels. `--compile` also times each candidate compiled (its first step, the compilation, separately).

    python benchmarks/net_shapes.py                      # bfloat16 autocast where the processor has it natively
    python benchmarks/net_shapes.py --compile --only wide speednet
"""
import argparse, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from speedrun import processor
import torch, torch.nn.functional as F
from nntrain.accel import native_bfloat16
from nntrain.models import Normalize, FASHION_MNIST_MEAN, FASHION_MNIST_STD, fashion_resnet_wide
from nntrain.init import init_weights
from nntrain.resnet import make_resnet, summary
from nntrain.speedrun import speed_net, fashion_speednet_small

def resnet(widths, pool='avg'):
    return torch.nn.Sequential(Normalize(FASHION_MNIST_MEAN, FASHION_MNIST_STD), *make_resnet(widths=widths, pool=pool)).apply(init_weights)

CANDIDATES = {   # name: (what it is, how to make it)
    'wide':        ("resnet-wide: 6 residual stages, 12 to 384 channels, 28x28 to 1x1", fashion_resnet_wide),
    'wide-5':      ("its first 5 stages (12 to 192), global average pooling", lambda: resnet((12, 24, 48, 96, 192))),
    'res-16':      ("5 residual stages of 16 to 256 channels, average pooling", lambda: resnet((16, 32, 64, 128, 256))),
    'res-32':      ("4 residual stages of 32 to 256 channels, average pooling", lambda: resnet((32, 64, 128, 256))),
    'speednet-32': ("speed_net(widths=(32, 64, 128), stem=16): --model speednet-small", fashion_speednet_small),
    'speednet':    ("speed_net(): stem 24, stages of 48, 96, 192 channels", speed_net),
    'speednet-64': ("speed_net(widths=(64, 128, 256))", lambda: speed_net(widths=(64, 128, 256))),
}

def step_time(model, x, y, mixed_precision: bool, steps: int) -> tuple[float, float]:
    "Seconds of the first training step, and the mean of `steps` more after two warm-up steps."
    opt = torch.optim.AdamW(model.parameters(), 1e-3)
    def step():
        with torch.autocast('cpu', torch.bfloat16, enabled=mixed_precision): loss = F.cross_entropy(model(x), y)
        loss.backward(); opt.step(); opt.zero_grad()
    t0 = time.perf_counter(); step(); first = time.perf_counter() - t0
    for _ in range(2): step()
    t0 = time.perf_counter()
    for _ in range(steps): step()
    return first, (time.perf_counter() - t0) / steps

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--only', nargs='+', choices=list(CANDIDATES), default=list(CANDIDATES))
    p.add_argument('--steps', type=int, default=10)
    p.add_argument('--float32', action='store_true', help='no bfloat16 autocast, even where it is native')
    p.add_argument('--compile', action='store_true', help='also time each candidate compiled with torch.compile')
    args = p.parse_args()
    mixed_precision = native_bfloat16() and not args.float32
    print(f"processor: {processor()}; torch {torch.__version__}; {'bfloat16 autocast' if mixed_precision else 'float32'}, batch 256, channels_last", flush=True)
    torch.manual_seed(0)
    x = torch.rand(256, 1, 28, 28).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (256,))
    base = None
    for name in args.only:
        what, make = CANDIDATES[name]
        for compiled in (False, True) if args.compile else (False,):
            model = make().to(memory_format=torch.channels_last)
            macs, params = summary(model, torch.zeros(1, 1, 28, 28)).total_macs, sum(p.numel() for p in model.parameters())
            if compiled: torch._dynamo.reset(); model.compile()
            first, dt = step_time(model, x, y, mixed_precision, args.steps)
            base = base or dt
            print(f"{name + (' compiled' if compiled else ''):<21} {params / 1e6:5.2f}M params {macs / 1e6:6.1f}M MACs  {dt * 1000:5.0f} ms/step "
                  f"({dt / base:4.2f}x {args.only[0]}'s)  {6 * macs * len(y) / dt / 1e9:6.1f} GFLOP/s"
                  + (f"  first step {first:.1f} s" if compiled else '') + f"   {what if not compiled else ''}", flush=True)

if __name__ == '__main__': main()
