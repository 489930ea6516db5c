"""Your own images from the command line: image-folder trees in, clear errors for broken ones, predict/evaluate/export out."""
import json, os, subprocess, sys
from pathlib import Path
import numpy as np
import pytest, torch
from PIL import Image

NNTRAIN = str(Path(sys.executable).parent/'nntrain')

def run(*args, cwd=None, env=None):
    return subprocess.run([NNTRAIN, *map(str, args)], capture_output=True, text=True, timeout=600, cwd=cwd, env=env)

def write_tree(root: Path, layout: dict, size=(16, 16), mode='RGB', ext='.png', seed=0) -> Path:
    "Random images whose mean brightness depends on the class, so a model can learn them: `layout` maps 'split/class' to a count."
    g = np.random.default_rng(seed)
    for folder, n in layout.items():
        (root/folder).mkdir(parents=True, exist_ok=True)
        level = 40 + 170 * sorted({k.split('/')[-1] for k in layout}).index(folder.split('/')[-1]) // 2
        for i in range(n):
            shape = size if mode == 'L' else (*size, 3)
            a = np.clip(g.normal(level, 20, shape), 0, 255).astype(np.uint8)
            Image.fromarray(a, mode).save(root/folder/f'{i:03d}{ext}')
    return root

def main_error(tmp_path, monkeypatch, capsys, *args) -> str:
    "Run `nntrain train` in this process (the console script's entry point); it must exit 2 with one line on stderr."
    from nntrain.cli import main
    monkeypatch.setenv('NNTRAIN_CACHE', str(tmp_path/'cache'))
    monkeypatch.setattr(sys, 'argv', ['nntrain', 'train', '--out', str(tmp_path/'run'), '--epochs', '1', *map(str, args)])
    with pytest.raises(SystemExit) as e: main()
    err = capsys.readouterr().err
    assert e.value.code == 2 and len(err.strip().splitlines()) == 1, err
    return err

BAD_TREES = {
    'empty':           ({}, 'No class folders with images'),
    'one class':       ({'cat': 4}, 'holds only one class (cat)'),
    'valid has more':  ({'train/cat': 4, 'train/dog': 4, 'valid/cat': 2, 'valid/emu': 2}, 'has classes that'),
}

@pytest.mark.parametrize('case', BAD_TREES, ids=list(BAD_TREES))
def test_a_broken_tree_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys, case):
    layout, message = BAD_TREES[case]
    tree = write_tree(tmp_path/'tree', layout); tree.mkdir(exist_ok=True)
    assert message in main_error(tmp_path, monkeypatch, capsys, '--data', tree)

def test_bad_files_are_named(tmp_path, monkeypatch, capsys):
    tree = write_tree(tmp_path/'tree', {'cat': 4, 'dog': 4})
    (tree/'emu').mkdir()
    assert 'emu holds no images' in main_error(tmp_path, monkeypatch, capsys, '--data', tree)
    (tree/'emu').rmdir()
    for name in ('notes.txt', 'labels.csv', 'x.json'): (tree/'dog'/name).write_text('{}')
    err = main_error(tmp_path, monkeypatch, capsys, '--data', tree)
    assert '3 files under' in err and 'dog/labels.csv, dog/notes.txt, dog/x.json' in err
    for name in ('notes.txt', 'labels.csv', 'x.json'): (tree/'dog'/name).unlink()
    (tree/'cat'/'002.png').write_bytes((tree/'cat'/'001.png').read_bytes()[:80])       # a truncated PNG: its header still reads
    assert '002.png is corrupt' in main_error(tmp_path, monkeypatch, capsys, '--data', tree)
    (tree/'cat'/'002.png').write_bytes(b'these bytes are no image')                     # not even a header
    assert '002.png is not a readable image' in main_error(tmp_path, monkeypatch, capsys, '--data', tree)

@pytest.fixture(scope='module')
def rgb_run(tmp_path_factory):
    "A relative --data path, as a newcomer types it: a small RGB tree with a test split, trained by the console script."
    work = tmp_path_factory.mktemp('rgb')
    write_tree(work/'shapes', {'train/dark': 40, 'train/light': 40, 'valid/dark': 10, 'valid/light': 10, 'test/dark': 6, 'test/light': 6})
    res = run('train', '--data', 'shapes', '--epochs', '3', '--bs', '16', '--out', 'run', cwd=work,
              env={**os.environ, 'NNTRAIN_CACHE': str(work/'cache')})
    assert res.returncode == 0, res.stderr
    return work, res.stdout

def test_train_on_a_tree_reports_data_and_test(rgb_run):
    work, stdout = rgb_run
    assert 'data: ImageTree(' in stdout and 'train 80, valid 20, test 12' in stdout and 'images 3×28×28' in stdout   # 16×16 images brought to the smallest default side, 28
    assert 'decoded once' in stdout
    assert sum(l.startswith('epoch ') for l in stdout.splitlines()) == 3
    result = json.loads((work/'run'/'test.json').read_text())
    assert result['images'] == 12 and f"test: accuracy {result['accuracy']:.4f}" in stdout
    ckpt = torch.load(work/'run'/'best.pt', weights_only=True)
    assert ckpt['config']['data']['classes'] == ['dark', 'light'] and ckpt['config']['data']['channels'] == 3

def test_predict_json_and_plain(rgb_run):
    work, _ = rgb_run
    files = sorted((work/'shapes'/'test'/'light').iterdir())[:2]
    res = run('predict', work/'run', *files, '--json', '--topk', '2')
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert [o['file'] for o in out] == [str(f) for f in files]
    assert all(o['label'] == o['topk'][0][0] and abs(o['probability'] - o['topk'][0][1]) < 1e-6 for o in out)
    assert all(abs(sum(p for _, p in o['topk']) - 1) < 1e-4 for o in out)   # two classes: the top 2 are all of it
    plain = run('predict', work/'run', work/'shapes'/'test'/'dark')
    assert plain.returncode == 0 and len(plain.stdout.splitlines()) == 6
    assert plain.stdout.split('\t')[0].endswith('000.png')
    missing = run('predict', work/'run', work/'nothing.png')
    assert missing.returncode == 2 and 'No image file or folder at' in missing.stderr

def test_evaluate_and_export(rgb_run):
    work, _ = rgb_run
    res = run('evaluate', work/'run', '--data', work/'shapes')
    assert res.returncode == 0, res.stderr
    assert 'on 12 images' in res.stdout and 'precision  recall' in res.stdout
    acc = float(res.stdout.split('accuracy ')[1].split()[0])
    assert abs(acc - json.loads((work/'run'/'test.json').read_text())['accuracy']) < 1e-6   # best.pt on the same test images
    rows = (work/'run'/'evaluation'/'confusion_matrix.csv').read_text().splitlines()
    assert rows[0] == 'actual \\ predicted,dark,light' and sum(int(v) for r in rows[1:] for v in r.split(',')[1:]) == 12
    assert (work/'run'/'evaluation'/'top_losses.png').stat().st_size > 0
    res = run('export', work/'run', '--out', work/'model.pt2')
    assert res.returncode == 0, res.stderr
    # a fresh process with only torch: load, run on the decoded test images, compare with the checkpoint's own predictions
    code = f"""
import json, sys, torch
extra = {{'nntrain.json': ''}}
p = torch.export.load({str(work/'model.pt2')!r}, extra_files=extra)
x = torch.randint(0, 256, (5, 3, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))
torch.save({{'x': x, 'probs': p.module()(x), 'meta': json.loads(extra['nntrain.json'])}}, {str(work/'out.pt')!r})
assert not any(m.startswith('nntrain') for m in sys.modules)
"""
    subprocess.run([sys.executable, '-c', code], check=True)
    got = torch.load(work/'out.pt', weights_only=True)
    from nntrain.inference import load_learner
    learn = load_learner(work/'run')
    with torch.inference_mode(): eager = learn.model(got['x'].float() / 255).softmax(-1)
    assert (got['probs'] - eager).abs().max() < 1e-5
    assert got['meta']['classes'] == ['dark', 'light'] and got['meta']['size'] == 28

def test_resume_refuses_other_classes(rgb_run, tmp_path, monkeypatch, capsys):
    work, _ = rgb_run
    import shutil; shutil.copytree(work/'run', tmp_path/'run')
    other = write_tree(tmp_path/'other', {'train/a': 5, 'train/b': 5, 'valid/a': 2, 'valid/b': 2})
    err = main_error(tmp_path, monkeypatch, capsys, '--data', other, '--bs', '16', '--epochs', '3', '--resume')
    assert "not those of the run" in err

def test_grey_tree_any_size_and_streaming(tmp_path, monkeypatch, capsys):
    "Grey images of mixed sizes: brought to the median short side; with a tiny memory budget the run streams, and says so."
    tree = write_tree(tmp_path/'t', {'a': 10, 'b': 10}, size=(40, 60), mode='L')
    write_tree(tree, {'a': 3}, size=(80, 80), mode='L', ext='.jpg', seed=1)
    from nntrain.runs import train_classifier
    monkeypatch.setenv('NNTRAIN_CACHE', str(tmp_path/'cache'))
    learn = train_classifier(tree, 'resnet', epochs=1, bs=8, out=tmp_path/'run', memory_gb=1e-9, workers=1)
    out = capsys.readouterr().out
    assert 'streaming from the files in 1 DataLoader workers' in out and 'images 1×40×40' in out
    assert learn.dls.streaming and not (tmp_path/'cache').exists()

def test_a_damaged_file_met_while_streaming_is_one_line(tmp_path, monkeypatch, capsys):
    "A truncated image passes the header check and breaks in a DataLoader worker mid-epoch: still one line naming it."
    tree = write_tree(tmp_path/'tree', {'cat': 6, 'dog': 6}, mode='L')
    (tree/'dog'/'003.png').write_bytes((tree/'dog'/'002.png').read_bytes()[:80])
    err = main_error(tmp_path, monkeypatch, capsys, '--data', tree, '--memory_gb', '1e-9', '--bs', '4')
    assert '003.png is corrupt' in err and 'Traceback' not in err

def test_predict_reads_an_animation_first_frame_and_names_an_empty_file(rgb_run, tmp_path):
    "Issue #36: an animated GIF is read as its first frame, with one note; a 0-byte file is named, in one line."
    work, _ = rgb_run
    frames = [Image.fromarray(np.full((16, 16, 3), v, np.uint8)) for v in (40, 210)]
    frames[0].save(tmp_path/'anim.gif', save_all=True, append_images=frames[1:])
    res = run('predict', work/'run', tmp_path/'anim.gif', tmp_path/'anim.gif')
    assert res.returncode == 0 and len(res.stdout.splitlines()) == 2, res.stderr
    assert res.stderr.count('first frame') == 1 and 'Traceback' not in res.stderr
    (tmp_path/'empty.png').write_bytes(b'')
    res = run('predict', work/'run', tmp_path/'empty.png')
    assert res.returncode == 2 and res.stderr.strip() == f"nntrain predict: error: {tmp_path/'empty.png'} is empty (0 bytes): remove or replace it."

def test_images_without_spread_and_a_split_without_training_images(tmp_path, monkeypatch, capsys):
    "Issue #36: one colour everywhere is refused before training (no NaN at batch 0); valid_pct 0.999 names the count."
    for c in ('a', 'b'):
        (tmp_path/'plain'/c).mkdir(parents=True)
        for i in range(4): Image.new('L', (8, 8), 128).save(tmp_path/'plain'/c/f'{i}.png')
    assert 'have no spread in the grey channel' in main_error(tmp_path, monkeypatch, capsys, '--data', tmp_path/'plain', '--bs', '4')
    tree = write_tree(tmp_path/'tree', {'cat': 5, 'dog': 5})
    err = main_error(tmp_path, monkeypatch, capsys, '--data', tree, '--valid_pct', '0.999')
    assert '10 images and valid_pct 0.999 leave no training images' in err
