"""Write Fashion-MNIST's IDX files out as an image-folder tree of PNG files, the layout `nntrain train --data` reads.

    python tools/write_png_tree.py --data $NNTRAIN_DATA --out fmnist_png [--limit N]

gives OUT/train/<class>/<index>.png (the 60,000 training images) and OUT/valid/<class>/<index>.png (the official
10,000 test images, which the IDX run also validates on), so the two runs see the same images. Class folders are
the class names with characters a file name cannot hold replaced ("T-shirt/top" becomes "T-shirt_top").
"""
import argparse, os, re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from PIL import Image
from nntrain.dataloaders import FASHION_MNIST_CLASSES, _idx_dir, read_fashion_mnist_split

def folder_name(label: str) -> str: return re.sub(r'[^\w.-]+', '_', label).strip('_')

def _write(job):
    image, fn = job
    Image.fromarray(image).save(fn)

def write_tree(data: Path, out: Path, limit: int|None=None, workers: int=os.cpu_count()) -> int:
    "Write the PNG tree; returns the number of files written."
    folder, jobs = _idx_dir(Path(data)), []
    for split, name in (('train', 'train'), ('test', 'valid')):
        images, labels = read_fashion_mnist_split(folder, split)
        for c in FASHION_MNIST_CLASSES: (out/name/folder_name(c)).mkdir(parents=True, exist_ok=True)
        n = len(images) if limit is None else min(limit, len(images))
        jobs += [(images[i], out/name/folder_name(FASHION_MNIST_CLASSES[labels[i]])/f'{i:05d}.png') for i in range(n)]
    with ProcessPoolExecutor(workers) as pool: list(pool.map(_write, jobs, chunksize=256))
    return len(jobs)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=os.environ.get('NNTRAIN_DATA'), help="folder with the IDX files (default: $NNTRAIN_DATA)")
    p.add_argument('--out', required=True, help="folder for the tree")
    p.add_argument('--limit', type=int, default=None, help="only the first N images of each split")
    a = p.parse_args()
    if a.data is None: p.error("give --data or set NNTRAIN_DATA")
    print(f"wrote {write_tree(Path(a.data), Path(a.out), a.limit):,} PNG files under {a.out}")
