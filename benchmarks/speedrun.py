"""The speed run (issue 21): time to 94% and 95% test accuracy, final accuracy, and the share of the processor's matmul rate.

Each seed runs `nntrain train` with the options given (the same function the command calls), for example a named speed-run
recipe (`--recipe speed5`, notebook 12) whose settings any option given overrides. The clock starts
before the data is loaded and stops at the end of each epoch's validation, so "time to 94%" is the wall time of a
command that would stop at the first epoch whose test accuracy reaches 94% (no other selection on the test set).
The FLOP/s share compares the training phases' rate, multiply-adds per image (`summary`) x 6 x images per second
(forward 2, backward 4 FLOPs per multiply-add), with `torch.mm` on large square matrices on the same threads.

    python benchmarks/speedrun.py --model resnet-wide --epochs 5 --seeds 0 1 2
    python benchmarks/speedrun.py --recipe speed20 --log benchmarks/logs/speedrun_cpu.jsonl --step "the speed20 recipe"

With `--log`, each seed's run is appended to a JSON-lines file (notebook 12 reads them to tell the story, step by step).
"""
import argparse, json, statistics, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from folders import processor as processor_name
import torch
from nntrain.accel import native_bfloat16
from nntrain.models import MODELS
from nntrain.runs import train_classifier
from nntrain.learner import Subscriber
from nntrain.resnet import summary

def processor() -> str:
    "The processor's model name, vector extensions and threads (as the other benchmarks name it), and its bfloat16."
    return f"{processor_name()}, {'native' if native_bfloat16() else 'emulated'} bfloat16"

def matmul_rate(dtype: torch.dtype, n: int=4096, seconds: float=3.) -> float:
    "FLOP/s of `torch.mm` on two n x n matrices of `dtype`, repeated for about `seconds` after one warm-up product."
    a, b = torch.randn(n, n).to(dtype), torch.randn(n, n).to(dtype)
    torch.mm(a, b)
    done, t0 = 0, time.perf_counter()
    while done == 0 or time.perf_counter() - t0 < seconds: torch.mm(a, b); done += 1
    return 2 * n**3 * done / (time.perf_counter() - t0)

class ClockS(Subscriber):
    "Wall time since `t0` at the end of each epoch, and the time spent in training phases."
    order = 200
    def __init__(self, t0: float): self.t0, self.epoch_ends, self.train_seconds, self.train_images = t0, [], 0., 0
    def before_train(self, learn): self.t_train = time.perf_counter()
    def after_batch(self, learn):
        if learn.training: self.train_images += len(learn.batch[1])
    def after_train(self, learn): self.train_seconds += time.perf_counter() - self.t_train
    def after_epoch(self, learn): self.epoch_ends.append(time.perf_counter() - self.t0)

def gflops(r: dict) -> float:
    "A run's training rate: multiply-adds per image x 6 x images per second, in GFLOP/s."
    return 6 * r['macs'] * r['images'] / r['train_seconds'] / 1e9

def first_time_at(accs: list[float], ends: list[float], target: float) -> float|None:
    "Seconds to the end of the first epoch whose accuracy reaches `target` (None if none does)."
    return next((t for a, t in zip(accs, ends) if a >= target), None)

def run(args, seed: int) -> dict:
    "One seeded run of the recipe: accuracy and wall time after each epoch, and the training rate."
    torch._dynamo.reset()   # compile afresh for each seed, as a new command would (a --recipe may compile too), and stay under dynamo's recompile limit
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        clock = ClockS(t0)
        learn = train_classifier(args.data, args.model, epochs=args.epochs, seed=seed, out=out, augment=args.augment, bs=args.bs,
                                 lr=args.lr, mixed_precision=args.mixed_precision, compile=args.compile, limit=args.limit,
                                 recipe=args.recipe, flip_tta=args.flip_tta, subs=[clock])
    if learn.stop_requested:   # SIGTERM or SIGINT stopped the fit early: a partial run must not be reported as one
        raise SystemExit(f"speedrun: the run was stopped ({learn.stop_requested}) after {learn.epoch + 1} epoch(s); no figures.")
    accs = [r['accuracy'] for r in learn.history if r['phase'] == 'valid']
    result = dict(seed=seed, accs=accs, ends=clock.epoch_ends, train_seconds=clock.train_seconds, images=clock.train_images,
                  settings={k: learn.config[k] for k in ('model', 'epochs', 'bs', 'lr', 'augment', 'mixed_precision', 'label_smoothing')},
                  compile=any(type(s).__name__ == 'CompileS' for s in learn.subs), flip_tta=hasattr(learn, 'tta_accuracy'))
    if result['flip_tta']:   # train_classifier scored the last epoch's weights on the plain and mirrored test images, after the clock's last tick
        result['accs'][-1], result['ends'][-1] = learn.tta_accuracy, time.perf_counter() - t0
    result['macs'] = summary(learn.model, torch.zeros(2, 1, 28, 28, device=next(learn.model.parameters()).device)).total_macs
    return result

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='folder with the Fashion-MNIST IDX files (default: $NNTRAIN_DATA)')
    p.add_argument('--recipe', default=None, help='a named speed-run recipe (notebook 12); the options below override it')
    p.add_argument('--model', default=None, choices=list(MODELS), help='default: resnet-wide, or the recipe\'s')
    p.add_argument('--epochs', type=int, default=None, help='default: 5, or the recipe\'s')
    p.add_argument('--bs', type=int, default=None, help="default: 256 (sized to the data), or the recipe's on the device")
    p.add_argument('--lr', type=float, default=None, help="default: 0.01, or the recipe's on the device")
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--augment', action='store_true')
    p.add_argument('--mixed_precision', action='store_true')
    p.add_argument('--compile', action='store_true')
    p.add_argument('--flip_tta', action='store_true', help='the last epoch is scored on the average of each test image and its mirror')
    p.add_argument('--limit', type=int, default=None, help='at most LIMIT images of each split (a quick check, not a speed run)')
    p.add_argument('--no_matmul', action='store_true', help='skip measuring the matmul rate')
    p.add_argument('--log', default=None, help='append each seed\'s run to this JSON-lines file')
    p.add_argument('--step', default=None, help='a name for these runs in the log (a step of the speed run)')
    args = p.parse_args()
    if args.recipe is None: args.model = args.model or 'resnet-wide'
    if args.log and args.limit: raise SystemExit("speedrun: --limit runs are quick checks, not speed runs: leave out --log.")
    print(f"processor: {processor()}; torch {torch.__version__}", flush=True)
    opts = ' '.join(f'--{k}' for k in ('augment', 'mixed_precision', 'compile', 'flip_tta') if getattr(args, k))
    given = ' '.join(f'--{k} {getattr(args, k)}' for k in ('recipe', 'model', 'epochs', 'bs', 'lr') if getattr(args, k) is not None)
    print(f"options: {given} {opts}".rstrip(), flush=True)
    runs = []
    for seed in args.seeds:
        r = run(args, seed); runs.append(r)
        if args.log:
            with open(args.log, 'a') as f:
                f.write(json.dumps(dict(step=args.step, command='python benchmarks/speedrun.py ' + ' '.join(sys.argv[1:]),
                                        processor=processor(), torch=torch.__version__, date=time.strftime('%Y-%m-%d'),
                                        gflops=round(gflops(r), 1), **r)) + '\n')
        print(f"settings: {r['settings']}, compile {r['compile']}, flip TTA {r['flip_tta']}", flush=True)
        t94, t95 = (first_time_at(r['accs'], r['ends'], x) for x in (0.94, 0.95))
        fmt = lambda t: f"{t:.1f}s" if t is not None else 'not reached'
        print(f"seed {seed}: final test accuracy {r['accs'][-1]:.4f}{' (flip TTA)' if r['flip_tta'] else ''}, total {r['ends'][-1]:.1f}s, to 94%: {fmt(t94)}, to 95%: {fmt(t95)}; "
              f"per epoch: {', '.join(f'{a:.4f}@{t:.1f}s' for a, t in zip(r['accs'], r['ends']))}", flush=True)
    accs = [100 * r['accs'][-1] for r in runs]
    spread = f" ± {statistics.stdev(accs):.2f}" if len(accs) > 1 else ''
    print(f"final test accuracy over seeds {args.seeds}: {statistics.mean(accs):.2f}%{spread}; "
          f"wall time {statistics.mean(r['ends'][-1] for r in runs):.1f}s on average")
    achieved = statistics.mean(gflops(r) for r in runs) * 1e9
    print(f"training rate: {runs[0]['macs'] / 1e6:.1f}M MACs per image x 6 x images/s = {achieved / 1e9:.1f} GFLOP/s", flush=True)
    if not args.no_matmul:
        for dtype in (torch.float32, torch.bfloat16) if native_bfloat16() else (torch.float32,):   # emulated bfloat16 takes minutes per product
            peak = matmul_rate(dtype)
            print(f"torch.mm 4096x4096 {str(dtype)[6:]}: {peak / 1e9:.1f} GFLOP/s; training at {100 * achieved / peak:.0f}% of it", flush=True)

if __name__ == '__main__': main()
