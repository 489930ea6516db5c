"""Transfer learning from the command line: --pretrained runs, torchvision models with weights from a local file."""
import json, os, subprocess, sys
from pathlib import Path
import pytest, torch
from test_folders import write_tree, run

@pytest.fixture(scope='module')
def trees(tmp_path_factory):
    work = tmp_path_factory.mktemp('transfer')
    write_tree(work/'source', {'train/a': 30, 'train/b': 30, 'valid/a': 8, 'valid/b': 8})
    write_tree(work/'target', {'train/x': 12, 'train/y': 12, 'train/z': 12, 'valid/x': 4, 'valid/y': 4, 'valid/z': 4}, seed=1)
    env = {**os.environ, 'NNTRAIN_CACHE': str(work/'cache')}
    res = run('train', '--data', work/'source', '--model', 'cnn', '--epochs', '2', '--bs', '16', '--out', work/'source_run', env=env)
    assert res.returncode == 0, res.stderr
    return work, env

def test_pretrained_run_gets_a_new_head_and_predicts(trees):
    work, env = trees
    res = run('train', '--data', work/'target', '--pretrained', work/'source_run', '--epochs', '3', '--bs', '8', '--out', work/'target_run', env=env)
    assert res.returncode == 0, res.stderr
    said = [l for l in res.stdout.splitlines() if l.startswith('pretrained ')]
    assert len(said) == 1 and '(the body); new: ' in said[0] and 'of the head' in said[0], res.stdout   # what was loaded, in one line
    ckpt = torch.load(work/'target_run'/'best.pt', weights_only=True)
    assert ckpt['config']['model'] == 'cnn' and ckpt['config']['data']['classes'] == ['x', 'y', 'z']
    assert ckpt['config']['freeze_epochs'] == 1 and ckpt['config']['pretrained'] == str(work/'source_run')
    pred = run('predict', work/'target_run', work/'target'/'valid'/'y', '--json', env=env)
    assert pred.returncode == 0, pred.stderr
    assert {o['label'] for o in json.loads(pred.stdout)} <= {'x', 'y', 'z'}
    clash = run('train', '--data', work/'target', '--pretrained', work/'source_run', '--model', 'resnet', '--out', work/'other', env=env)
    assert clash.returncode == 2 and "differs from the --pretrained run's model (cnn)" in clash.stderr

def test_torchvision_model_with_local_weights(trees, tmp_path):
    work, env = trees
    import torchvision
    torch.manual_seed(0); torch.save(torchvision.models.resnet18().state_dict(), tmp_path/'r18.pth')
    res = run('train', '--data', work/'target', '--model', 'tv:resnet18', '--weights', tmp_path/'r18.pth', '--epochs', '2', '--bs', '8',
              '--out', tmp_path/'run', env=env)
    assert res.returncode == 0, res.stderr
    assert sum(l.startswith('epoch ') for l in res.stdout.splitlines()) == 2
    pred = run('predict', tmp_path/'run', work/'target'/'valid'/'x'/'000.png', env=env)
    assert pred.returncode == 0 and pred.stdout.split('\t')[1] in ('x', 'y', 'z'), pred.stderr

def test_torchvision_without_weights_offline_says_what_to_pass(trees, tmp_path):
    work, env = trees
    res = run('train', '--data', work/'target', '--model', 'tv:resnet18', '--epochs', '1', '--out', tmp_path/'run',
              env={**env, 'TORCH_HOME': str(tmp_path/'torch_home')})
    assert res.returncode == 2 and '--weights FILE' in res.stderr and 'Traceback' not in res.stderr, res.stderr
