"""torch.compile's kernel cache seen by two instruction sets: `CompileS` keeps their kernels apart (notebook 08)."""
import os, subprocess, sys
from pathlib import Path
import pytest, torch

RELU_TWICE = '''import torch
from nntrain.accel import separate_kernel_cache
folder = separate_kernel_cache()
x = torch.linspace(-1, 1, 1000)
print(folder, (torch.compile(lambda t: t.relu() * 2)(x) - x.relu() * 2).abs().max().item())'''

@pytest.mark.slow   # two processes that compile: about 40 s on 2 cores
def test_a_cache_filled_under_one_instruction_set_then_read_under_a_narrower_one_computes_exactly(tmp_path):
    narrower = 'avx2' if torch.backends.cpu.get_cpu_capability() == 'AVX512' else 'default'   # 'default': no vector instructions
    # TMPDIR moves torch's default cache folder into tmp_path; the first process runs on the processor's own instruction set
    env = {k: v for k, v in os.environ.items() if k not in ('TORCHINDUCTOR_CACHE_DIR', 'ATEN_CPU_CAPABILITY')} | {'TMPDIR': str(tmp_path)}
    runs = [subprocess.run([sys.executable, '-c', RELU_TWICE], env=env | extra, capture_output=True, text=True, timeout=300)
            for extra in ({}, {'ATEN_CPU_CAPABILITY': narrower})]
    for run in runs: assert run.returncode == 0, run.stderr[-2000:]
    (wide_folder, wide_err), (narrow_folder, narrow_err) = [run.stdout.split() for run in runs]
    assert Path(wide_folder).parent == Path(narrow_folder).parent and tmp_path in Path(wide_folder).parents, (wide_folder, narrow_folder)
    assert wide_folder != narrow_folder, f"both instruction sets share the cache folder {wide_folder}"
    assert float(wide_err) == 0 and float(narrow_err) == 0, f"compiled relu off by {wide_err} ({wide_folder}), then by {narrow_err} held to {narrower} ({narrow_folder})"
