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
    # what was loaded and what starts fresh, in one line: the cnn's stages 1-3 of 4 (and its Normalize), then stage 4 and the head new
    assert len(said) == 1 and said[0].endswith(": copied 20 of 28 tensors (layers 0-3); new: 8 (layers 4-5: the upper stages and the head, "
                                               "started fresh for the new classes)"), res.stdout
    ckpt = torch.load(work/'target_run'/'best.pt', weights_only=True)
    assert ckpt['config']['model'] == 'cnn' and ckpt['config']['data']['classes'] == ['x', 'y', 'z']
    assert ckpt['config']['freeze_epochs'] == 1 and ckpt['config']['pretrained'] == str(work/'source_run')
    assert ckpt['config']['reuse'] == 0.67 and ckpt['config']['lr_mult'] == 1   # the rule notebook 11 measured
    whole = run('train', '--data', work/'target', '--pretrained', work/'source_run', '--reuse', '1', '--epochs', '3', '--bs', '8',
                '--out', work/'whole', env=env)
    assert whole.returncode == 0 and ": copied 26 of 28 tensors (layers 0-4); new: 2 (layers 5: the head, for the new classes)" in whole.stdout, whole.stdout
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

@pytest.mark.slow
def test_timm_model_with_local_weights_trains_predicts_evaluates_exports(trees, tmp_path):
    pytest.importorskip('timm')
    import timm
    from safetensors.torch import save_file
    work, env = trees
    torch.manual_seed(0); save_file(timm.create_model('test_resnet').state_dict(), tmp_path/'weights.safetensors')   # 3 channels, 1,000 classes
    res = run('train', '--data', work/'target', '--model', 'timm:test_resnet', '--weights', tmp_path/'weights.safetensors',
              '--epochs', '2', '--bs', '8', '--out', tmp_path/'run', env=env)
    assert res.returncode == 0, res.stderr
    assert 'images resized to 160 px, the side timm:test_resnet' in res.stdout, res.stdout   # the side its weights were trained at
    ckpt = torch.load(tmp_path/'run'/'best.pt', weights_only=True)
    assert ckpt['config']['data']['size'] == 160 and ckpt['config']['model'] == 'timm:test_resnet'
    assert torch.allclose(ckpt['model']['0.mean'].flatten(), torch.tensor([0.5] * 3))   # the weights' statistics, not the data's
    pred = run('predict', tmp_path/'run', work/'target'/'valid'/'x', '--json', env=env)
    assert pred.returncode == 0 and {o['label'] for o in json.loads(pred.stdout)} <= {'x', 'y', 'z'}, pred.stderr
    ev = run('evaluate', tmp_path/'run', '--data', work/'target', env=env)   # the run's own validation images
    assert ev.returncode == 0 and 'accuracy' in ev.stdout, ev.stderr
    ex = run('export', tmp_path/'run', '--out', tmp_path/'model.pt2', env=env)
    assert ex.returncode == 0 and (tmp_path/'model.pt2').is_file(), ex.stderr
    wrong = tmp_path/'wrong.safetensors'; save_file(timm.create_model('test_convnext').state_dict(), wrong)
    bad = run('train', '--data', work/'target', '--model', 'timm:test_resnet', '--weights', wrong, '--epochs', '2', '--out', tmp_path/'bad', env=env)
    assert bad.returncode == 2 and "does not hold weights for timm's test_resnet: it lacks" in bad.stderr and 'Traceback' not in bad.stderr, bad.stderr

def test_timm_missing_is_one_line_naming_the_extra(trees, tmp_path):
    work, env = trees
    (tmp_path/'hide'/'timm').mkdir(parents=True)
    (tmp_path/'hide'/'timm'/'__init__.py').write_text("raise ImportError('timm is not installed here')\n")   # as if timm were absent
    res = run('train', '--data', work/'target', '--model', 'timm:resnet18', '--epochs', '1', '--out', tmp_path/'run',
              env={**env, 'PYTHONPATH': str(tmp_path/'hide')})
    assert res.returncode == 2 and "pip install 'nntrain[timm]'" in res.stderr and 'Traceback' not in res.stderr, res.stderr

def test_reuse_outside_0_1_is_one_line(trees, tmp_path):
    work, env = trees
    res = run('train', '--data', work/'target', '--pretrained', work/'source_run', '--reuse', '1.5', '--out', tmp_path/'run', env=env)
    assert res.returncode == 2 and "--reuse is the share of the --pretrained run's stages to copy" in res.stderr and 'Traceback' not in res.stderr, res.stderr
