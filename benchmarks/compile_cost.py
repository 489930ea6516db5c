"""What `torch.compile` costs before it pays: wall time of the first call of each kind (a training step at batch 256, one at the
epoch's last batch of 96, an eval batch of 256 and one of 16) for the wide ResNet under bfloat16 autocast, then of a repeat.

Run it twice with the same TORCHINDUCTOR_CACHE_DIR: the first run compiles from nothing (a new machine, or a new cache),
the second finds inductor's generated code on disk (every later run of a command on that machine).

    export TORCHINDUCTOR_CACHE_DIR=$(mktemp -d)
    python benchmarks/compile_cost.py; python benchmarks/compile_cost.py
    python benchmarks/compile_cost.py --dynamic true    # or false: torch.compile's `dynamic`
"""
import argparse, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
import torch
import torch.nn.functional as F
from folders import processor
from nntrain.models import fashion_resnet_wide

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--dynamic', choices=['none', 'true', 'false'], default='none', help="torch.compile's dynamic (default: none, torch's default)")
    args = p.parse_args()
    print(f"processor: {processor()}; torch {torch.__version__}; dynamic={args.dynamic}", flush=True)
    torch.manual_seed(0)
    model = fashion_resnet_wide().to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), 1e-3)
    model.compile(**({} if args.dynamic == 'none' else {'dynamic': args.dynamic == 'true'}))
    def seconds(bs: int, train: bool) -> float:
        x, y = torch.rand(bs, 1, 28, 28).to(memory_format=torch.channels_last), torch.randint(0, 10, (bs,))
        model.train(train); t0 = time.perf_counter()
        with torch.autocast('cpu', torch.bfloat16):
            if train: F.cross_entropy(model(x), y).backward(); opt.step(); opt.zero_grad()
            else:
                with torch.no_grad(): model(x)
        return time.perf_counter() - t0
    for what, bs, train in [('training step, batch 256', 256, True), ('training step, last batch of 96', 96, True),
                            ('eval, batch 256', 256, False), ('eval, last batch of 16', 16, False)]:
        first, again = seconds(bs, train), seconds(bs, train)
        print(f"{what}: first call {first:.1f} s, again {again:.2f} s", flush=True)

if __name__ == '__main__': main()
