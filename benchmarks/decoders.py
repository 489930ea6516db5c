"""Image decoding for image-folder trees (issue 37): PIL (what nntrain uses) against torchvision.io's decoder (deprecated in 0.29).

Both bring each file to the uint8 tensor `fit_image` takes; the same files, side by side in one process, best of 3 passes.
PIL decodes a JPEG at a reduced scale when the image is at least twice the target size (`Image.draft`), which
torchvision's decoder cannot do. The photos are scikit-image's, cut and scaled to phone-like sizes and saved as JPEG.

    pip install scikit-image      # for the photos only
    python benchmarks/decoders.py --data $NNTRAIN_DATA
"""
import argparse, gzip, sys, tempfile, time, warnings
from pathlib import Path
import numpy as np, torch
from PIL import Image
sys.path.insert(0, str(Path(__file__).parent))
from folders import processor
from nntrain.folders import decode_image_file, fit_image

def torchvision_decode(fn, size: int, channels: int) -> torch.Tensor:
    "The decoder nntrain used before: torchvision.io.decode_image, then the same resize and crop."
    warnings.filterwarnings('ignore', category=DeprecationWarning)
    from torchvision.io import ImageReadMode, decode_image
    data = torch.frombuffer(bytearray(Path(fn).read_bytes()), dtype=torch.uint8)
    return fit_image(decode_image(data, mode=ImageReadMode.GRAY if channels == 1 else ImageReadMode.RGB), size)

def rate(decode, files, size, channels, passes: int=3) -> float:
    "Images per second of `decode` over `files`, the best of `passes`."
    best = float('inf')
    for _ in range(passes):
        t0 = time.perf_counter()
        for f in files: decode(f, size, channels)
        best = min(best, time.perf_counter() - t0)
    return len(files) / best

def fashion_pngs(data: Path, folder: Path, n: int) -> list[Path]:
    "The first `n` Fashion-MNIST training images as 28x28 PNG files."
    raw = gzip.open(data/'fashion_mnist'/'train-images-idx3-ubyte.gz').read()
    imgs = np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 28, 28)[:n]
    files = [folder/f'{i}.png' for i in range(n)]
    for im, f in zip(imgs, files): Image.fromarray(im).save(f)
    return files

def photo_jpegs(folder: Path, n: int, side: int) -> list[Path]:
    "`n` JPEG photos with a long side of `side` pixels, crops of scikit-image's colour photos scaled up."
    import skimage.data
    rng, files = np.random.default_rng(0), []
    photos = [skimage.data.astronaut(), skimage.data.chelsea(), skimage.data.coffee(), skimage.data.rocket()]
    for i in range(n):
        p = photos[i % len(photos)]
        h, w = p.shape[0] * 3 // 4, p.shape[1] * 3 // 4
        r, c = rng.integers(0, p.shape[0] - h + 1), rng.integers(0, p.shape[1] - w + 1)
        im = Image.fromarray(p[r:r + h, c:c + w, :3]).resize((side, side * h // w), Image.BICUBIC)
        files.append(folder/f'{i}.jpg'); im.save(files[-1], quality=90)
    return files

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', required=True, help="the folder holding fashion_mnist/ (NNTRAIN_DATA)")
    p.add_argument('--n', type=int, default=2000, help="PNG files")
    p.add_argument('--photos', type=int, default=100, help="JPEG files")
    args = p.parse_args()
    torch.set_num_threads(1)   # decoding runs one image per worker process in nntrain
    print(f"processor: {processor()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp/'png').mkdir(); (tmp/'jpg').mkdir()
        cases = [('Fashion-MNIST PNG 28x28 -> 28, grey', fashion_pngs(Path(args.data), tmp/'png', args.n), 28, 1),
                 ('JPEG photos 2000 px -> 224, colour', photo_jpegs(tmp/'jpg', args.photos, 2000), 224, 3),
                 ('JPEG photos 2000 px -> 64, colour', photo_jpegs(tmp/'jpg', args.photos, 2000), 64, 3)]
        for name, files, size, channels in cases:
            pairs = [(decode_image_file(f, size, channels).float(), torchvision_decode(f, size, channels).float()) for f in files[:50]]
            same, diff = sum(torch.equal(a, b) for a, b in pairs), sum((a - b).abs().mean().item() for a, b in pairs) / len(pairs)
            new, old = rate(decode_image_file, files, size, channels), rate(torchvision_decode, files, size, channels)
            print(f"{name}: PIL {new:,.0f} images/s, torchvision.io {old:,.0f} images/s: {new / old:.2f}x "
                  f"(identical tensors for {same} of the first 50; mean difference {diff:.2f} of 255)", flush=True)

if __name__ == '__main__': main()
