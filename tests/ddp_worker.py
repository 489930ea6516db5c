"""A worker started by torchrun in tests/test_distributed.py: `ddp_worker.py train|fail OUT_DIR`."""
import json, sys
from pathlib import Path
import torch
import torch.nn.functional as F
from nntrain.dataloaders import DataLoaders, TensorLoader, load_fashion_mnist, hf_ds_to_tensors
from nntrain.learner import Learner, Subscriber, DeviceS, MetricsS, set_seed, process_rank
from nntrain.accel import DDPS
from nntrain.models import fashion_cnn
import torcheval.metrics as tem

N_TRAIN, N_VALID = 2000, 999          # 999: the validation shards are uneven (500 and 499)

class FailOnRank1S(Subscriber):
    "Fail on rank 1 at its third training batch, as a bug in one process would."
    def after_batch(self, learn):
        if process_rank() == 1 and learn.training and learn.iter == 2: raise RuntimeError("deliberate failure on rank 1")

def main(mode: str, out: Path):
    dd = load_fashion_mnist()
    x, y = hf_ds_to_tensors(dd['train'].select(range(N_TRAIN)))
    xv, yv = hf_ds_to_tensors(dd['test'].select(range(N_VALID)))
    set_seed(0)
    dls = DataLoaders(TensorLoader(x, y, 128, shuffle=True), TensorLoader(xv, yv, 128))
    subs = [DeviceS('cpu'), MetricsS(accuracy=tem.MulticlassAccuracy(), show=False), DDPS(seed=0)]
    if mode == 'fail': subs.append(FailOnRank1S())
    learn = Learner(fashion_cnn(), dls, F.cross_entropy, torch.optim.AdamW, 3e-3, subs)
    learn.fit(2)
    if process_rank() == 0:
        torch.save(learn.model.state_dict(), out/'model.pt')
        (out/'history.json').write_text(json.dumps(learn.history))

if __name__ == '__main__': main(sys.argv[1], Path(sys.argv[2]))
