"""Hugging Face image datasets from the command line (notebook 01c): a dataset saved with save_to_disk, built here, offline."""
import contextlib, io, json, os, subprocess, sys
from pathlib import Path
import numpy as np, pytest
from PIL import Image

NNTRAIN = str(Path(sys.executable).parent/'nntrain')
def run(*args, **kw): return subprocess.run([NNTRAIN, *map(str, args)], capture_output=True, text=True, timeout=600, **kw)

@pytest.fixture(scope='module')
def saved(tmp_path_factory) -> Path:
    "A DatasetDict of 16×16 colour images in three classes (a train and a test split), saved to disk as a user's would be."
    import datasets as dsl
    rng, folder = np.random.default_rng(0), tmp_path_factory.mktemp('hf')/'shades'
    def split(n):
        imgs = [Image.fromarray((rng.random((16, 16, 3)) * 60 + 90 * (i % 3)).astype(np.uint8)) for i in range(n)]
        return dsl.Dataset.from_dict({'img': imgs, 'shade': [i % 3 for i in range(n)]},
                                     features=dsl.Features({'img': dsl.Image(), 'shade': dsl.ClassLabel(names=['dark', 'mid', 'light'])}))
    with contextlib.redirect_stderr(io.StringIO()): dsl.DatasetDict(train=split(60), test=split(15)).save_to_disk(str(folder))
    return folder

def test_train_predict_evaluate_on_a_saved_dataset(saved, tmp_path):
    "Classes from the ClassLabel, the run folder from the dataset's name, its test split scored after training and by evaluate."
    res = run('train', '--data', saved, '--epochs', '3', cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert 'run folder: runs/shades\n' in res.stdout and 'classes; train 48, valid 12, test 15' in res.stdout, res.stdout
    assert 'test: accuracy' in res.stdout
    run_dir = tmp_path/'runs'/'shades'
    assert json.loads((run_dir/'config.json').read_text())['data'] == str(saved)
    Image.fromarray(np.full((16, 16, 3), 235, np.uint8)).save(tmp_path/'bright.png')
    pred = run('predict', run_dir, tmp_path/'bright.png')
    assert pred.returncode == 0 and pred.stdout.split('\t')[1] in ('dark', 'mid', 'light'), pred.stdout + pred.stderr
    ev = run('evaluate', run_dir, '--data', saved)
    assert ev.returncode == 0 and f'the test images of {saved}' in ev.stdout and 'on 15 images' in ev.stdout, ev.stdout + ev.stderr

def test_a_hub_dataset_offline_is_one_line(tmp_path):
    "hf:<name> with no network: exit 2 and one line saying what to give instead."
    res = run('train', '--data', 'hf:nobody/no-such-dataset', '--epochs', '1', cwd=tmp_path, env={**os.environ, 'HF_HUB_OFFLINE': '1'})
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2 and len(lines) == 1 and 'save it with save_to_disk' in lines[0], res.stderr
