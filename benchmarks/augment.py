"""Augmentation speed: torchvision per image in a DataLoader vs nntrain's batch transforms, on the same images, in one run.

Run: python benchmarks/augment.py --data /path/to/data   (default: $NNTRAIN_DATA)
For each augmentation, the per-image path is torchvision.transforms.v2 applied to each PIL image inside a
torch DataLoader (no workers, batches of 256, collated), as a Dataset-based pipeline does it; the batch path is
nntrain.augmentation's transform applied to whole uint8->float batches from the fast tensor loader. Both go
over the same training images; each figure is the best of a few passes.
"""
import argparse, os, platform, time
import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision.transforms import v2
from nntrain.dataloaders import TensorLoader, load_fashion_mnist, hf_ds_to_tensors
from nntrain.augmentation import RandomFlip, RandomCrop, RandomAffine, RandomPerspective

def images_per_s(loader, tfm=None, passes=2) -> float:
    best = float('inf')
    for _ in range(passes):
        n, t0 = 0, time.perf_counter()
        for x, y in loader:
            if tfm is not None: x = tfm(x)
            n += len(x)
        best = min(best, time.perf_counter() - t0)
    return n / best

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='folder with the Fashion-MNIST IDX files (default: $NNTRAIN_DATA)')
    p.add_argument('--images', type=int, default=10_000)
    args = p.parse_args()
    if args.data: os.environ['NNTRAIN_DATA'] = args.data
    ds = load_fashion_mnist()['train'].select(range(args.images))
    x, y = hf_ds_to_tensors(ds)
    to_tensor = [v2.PILToTensor(), v2.ToDtype(torch.float32, scale=True)]
    cases = {'flip + crop (padding 2)': (v2.Compose([v2.RandomHorizontalFlip(), v2.RandomCrop(28, padding=2), *to_tensor]),
                                         nn.Sequential(RandomFlip(), RandomCrop(padding=2))),
             'affine (rotate 10, zoom 0.9-1.1, shear 5, translate 0.1)':
                 (v2.Compose([v2.RandomAffine(degrees=10, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=5,
                                              interpolation=v2.InterpolationMode.BILINEAR), *to_tensor]),
                  RandomAffine(degrees=10, zoom=(0.9, 1.1), shear=5, translate=0.1)),
             'perspective (distortion 0.2)': (v2.Compose([v2.RandomPerspective(distortion_scale=0.2, p=1.), *to_tensor]),
                                              RandomPerspective(0.2, p=1.))}
    print(f"{args.images} Fashion-MNIST training images, batches of 256, {torch.get_num_threads()} threads, "
          f"{platform.machine()}, torch {torch.__version__}")
    for name, (per_image, batch) in cases.items():
        def item_tfm(rows, t=per_image): return {'image': [t(im) for im in rows['image']], 'label': rows['label']}
        def collate(items): return torch.stack([it['image'] for it in items]), torch.tensor([it['label'] for it in items])
        item = images_per_s(DataLoader(ds.with_transform(item_tfm), batch_size=256, collate_fn=collate))
        fast = images_per_s(TensorLoader(x, y, 256), batch)
        print(f"{name}: per image (torchvision, DataLoader) {item:,.0f} images/s; batch (nntrain) {fast:,.0f} images/s; ratio {fast / item:.1f}x")

if __name__ == '__main__': main()
